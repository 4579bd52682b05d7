import NIOCore
import NIOHTTP1

extension HTTPRequestHandler {
  /// Removes every HTTP handler of an HTTP/1.1 connection in one event-loop turn (so no byte
  /// slips past) and gives the raw connection to `body`, which owns it until it returns.
  static func takeOver(
    _ channel: any Channel, version: HTTPVersion, body: @escaping @Sendable (RawConnection) async -> Void
  )
    async
  {
    guard version.major == 1 else {
      let message = Array("upgrades need HTTP/1.1; this connection speaks HTTP/2".utf8)
      var headers = HTTPHeaders()
      headers.add(name: "content-length", value: String(message.count))
      channel.write(
        HTTPServerResponsePart.head(HTTPResponseHead(version: version, status: .badRequest, headers: headers)),
        promise: nil)
      channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: message))), promise: nil)
      channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
      return
    }
    let raw: RawConnection
    do {
      raw = try await channel.eventLoop.submit {
        let pipeline = channel.pipeline.syncOperations
        func remove<Handler: RemovableChannelHandler>(_ type: Handler.Type) {
          if let context = try? pipeline.context(handlerType: type) {
            pipeline.removeHandler(context: context, promise: nil)
          }
        }
        remove(HTTPServerPipelineHandler.self)
        remove(HTTPServerProtocolErrorHandler.self)
        remove(NIOHTTPResponseHeadersValidator.self)
        remove(ByteToMessageHandler<HTTPRequestDecoder>.self)
        remove(HTTPResponseEncoder.self)
        remove(HTTPRequestHandler.self)
        _ = channel.setOption(ChannelOptions.autoRead, value: false)
        return try RawConnection(channel: channel)
      }.get()
    } catch {
      channel.close(promise: nil)
      return
    }
    await body(raw)
    raw.close()
  }
}
