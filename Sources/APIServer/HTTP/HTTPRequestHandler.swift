import Logging
import NIOCore
import NIOHTTP1

/// Collects one request at a time, runs the async handler, and writes its answer. An answer
/// in flight is cancelled when the client goes away (watch streams end that way).
final class HTTPRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let peerCertificateDER: [UInt8]?
  private let maxBodyBytes: Int
  private let logger: Logger
  private let handler: HTTPServer.Handler
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []
  private var tooLarge = false
  private var task: Task<Void, Never>?

  init(peerCertificateDER: [UInt8]?, maxBodyBytes: Int, logger: Logger, handler: @escaping HTTPServer.Handler) {
    self.peerCertificateDER = peerCertificateDER
    self.maxBodyBytes = maxBodyBytes
    self.logger = logger
    self.handler = handler
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      self.head = head
      body.removeAll(keepingCapacity: true)
      tooLarge = false
      if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBodyBytes {
        tooLarge = true
      }
    case .body(var buffer):
      guard !tooLarge else { return }
      if body.count + buffer.readableBytes > maxBodyBytes {
        tooLarge = true
        body = []
      } else {
        body += buffer.readBytes(length: buffer.readableBytes) ?? []
      }
    case .end:
      guard let head else { return }
      self.head = nil
      let keepAlive = head.isKeepAlive
      let request = HTTPRequest(
        method: head.method, uri: head.uri, headers: head.headers, body: body, peerCertificateDER: peerCertificateDER)
      body = []
      let channel = context.channel
      let version = head.version
      let handler = self.handler
      let oversized = tooLarge
      let limit = maxBodyBytes
      task = Task {
        let response =
          oversized ? APIError.requestEntityTooLarge(limit: limit).response : await handler(request)
        await HTTPRequestHandler.write(response, version: version, keepAlive: keepAlive, to: channel)
      }
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    task?.cancel()
    task = nil
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: Error) {
    logger.debug("connection error", metadata: ["error": "\(error)"])
    context.close(promise: nil)
  }

  private static func write(_ response: HTTPResponse, version: HTTPVersion, keepAlive: Bool, to channel: Channel) async
  {
    switch response {
    case .full(let status, var headers, let body):
      headers.replaceOrAdd(name: "content-length", value: String(body.count))
      if !keepAlive && version.major == 1 { headers.replaceOrAdd(name: "connection", value: "close") }
      let head = HTTPResponseHead(version: version, status: status, headers: headers)
      channel.write(HTTPServerResponsePart.head(head), promise: nil)
      if !body.isEmpty {
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
      }
      let done = send(.end(nil), on: channel)
      if !keepAlive && version.major == 1 { done.whenComplete { _ in channel.close(promise: nil) } }
      try? await done.get()
    case .stream(let status, let headers, let produce):
      let head = HTTPResponseHead(version: version, status: status, headers: headers)
      do {
        try await send(.head(head), on: channel).get()
        try await produce(ChannelBodyWriter(channel: channel))
        try await send(.end(nil), on: channel).get()
      } catch {
        // The client left or the stream was cancelled; closing keeps HTTP/1 framing sane.
        channel.close(promise: nil)
      }
    case .takeOver(let body):
      await takeOver(channel, version: version, body: body)
    }
  }
}

private struct ChannelBodyWriter: ResponseBodyWriter {
  let channel: Channel

  func write(_ bytes: [UInt8]) async throws {
    try Task.checkCancellation()
    try await send(.body(.byteBuffer(ByteBuffer(bytes: bytes))), on: channel).get()
  }
}

/// Writes and flushes one response part, returning when the transport took it.
private func send(_ part: HTTPServerResponsePart, on channel: Channel) -> EventLoopFuture<Void> {
  let promise = channel.eventLoop.makePromise(of: Void.self)
  channel.writeAndFlush(part, promise: promise)
  return promise.futureResult
}
