import NIOCore

/// Splits a TCP stream into DNS messages (each prefixed by its 16-bit length, RFC 1035 §4.2.2).
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
  typealias InboundOut = ByteBuffer

  mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
    guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
      let frame = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length))
    else { return .needMoreData }
    buffer.moveReaderIndex(forwardBy: 2 + Int(length))
    context.fireChannelRead(wrapInboundOut(frame))
    return .continue
  }
}

extension ByteBufferAllocator {
  /// A TCP frame: length prefix then the message.
  func tcpFrame(_ bytes: [UInt8]) -> ByteBuffer {
    var buffer = self.buffer(capacity: bytes.count + 2)
    buffer.writeInteger(UInt16(bytes.count))
    buffer.writeBytes(bytes)
    return buffer
  }
}

/// Serves length-prefixed queries on one TCP connection; closes it when idle.
final class DNSTCPServerHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  let queries: DNSQueryHandler

  init(queries: DNSQueryHandler) { self.queries = queries }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    let reply = frame.withUnsafeReadableBytes { queries.handle($0, udp: false, on: context.eventLoop) }
    switch reply {
    case .now(let bytes):
      context.writeAndFlush(wrapOutboundOut(context.channel.allocator.tcpFrame(bytes)), promise: nil)
    case .later(let future):
      let channel = context.channel
      future.whenSuccess { bytes in channel.writeAndFlush(channel.allocator.tcpFrame(bytes), promise: nil) }
    case .drop:
      context.close(promise: nil)
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}

/// Waits for the upstream's answer to one query: same ID and question. `extract` unwraps a
/// read (a datagram from the upstream asked, or a TCP frame) and ignores anything else.
final class DNSUpstreamResponseHandler<In>: ChannelInboundHandler {
  typealias InboundIn = In

  let id: UInt16
  let question: DNSQuestion
  let extract: (In) -> ByteBuffer?
  let promise: EventLoopPromise<DNSMessage>

  init(id: UInt16, question: DNSQuestion, promise: EventLoopPromise<DNSMessage>, extract: @escaping (In) -> ByteBuffer?)
  {
    self.id = id
    self.question = question
    self.extract = extract
    self.promise = promise
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard let buffer = extract(unwrapInboundIn(data)),
      let message = try? buffer.withUnsafeReadableBytes({ try DNSMessage(decoding: $0) }),
      message.isResponse, message.id == id, message.questions == [question]
    else { return }
    promise.succeed(message)
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    promise.fail(error)
  }

  func channelInactive(context: ChannelHandlerContext) {
    promise.fail(AddonsError(.io, "upstream closed the connection before answering \(question.name)"))
  }
}
