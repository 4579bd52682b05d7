import NIOCore
import NIOWebSocket

/// What runs over an upgraded WebSocket: exec, attach, port-forward. `receive` and
/// `clientClosed` are called on the connection's event loop and must not block.
protocol StreamSession: AnyObject, Sendable {
  func start(_ connection: WebSocketConnection)
  func receive(_ message: [UInt8])
  func clientClosed()
}

/// Sends binary messages on a WebSocket from any thread. The blocking send is for the threads
/// that copy from file descriptors: waiting until the transport took a message is what keeps a
/// fast process from filling memory when the client reads slowly.
final class WebSocketConnection: Sendable {
  let channel: any Channel

  init(channel: any Channel) { self.channel = channel }

  @discardableResult
  func send(_ bytes: [UInt8]) -> EventLoopFuture<Void> {
    let frame = WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: bytes))
    return channel.writeAndFlush(frame)
  }

  /// Blocks the calling thread (never an event loop or a Swift concurrency thread) until sent.
  func sendBlocking(_ bytes: [UInt8]) throws { try send(bytes).wait() }

  /// Sends a close frame (1000, normal closure) and closes the connection once it is out.
  func close(code: WebSocketErrorCode = .normalClosure) {
    var data = channel.allocator.buffer(capacity: 2)
    data.write(webSocketErrorCode: code)
    let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
    let channel = self.channel
    channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
  }
}

/// Frames in, session calls out: pings answered, close frames echoed, messages handed over.
final class WebSocketSessionHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = WebSocketFrame
  typealias OutboundOut = WebSocketFrame

  private let session: any StreamSession
  private var started = false
  private var closed = false
  private var message: [UInt8] = []

  init(session: any StreamSession) { self.session = session }

  func handlerAdded(context: ChannelHandlerContext) {
    if context.channel.isActive { start(context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    start(context)
    context.fireChannelActive()
  }

  private func start(_ context: ChannelHandlerContext) {
    guard !started else { return }
    started = true
    session.start(WebSocketConnection(channel: context.channel))
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    switch frame.opcode {
    case .binary, .text, .continuation:
      var payload = frame.unmaskedData
      message += payload.readBytes(length: payload.readableBytes) ?? []
      if frame.fin {
        let complete = message
        message = []
        session.receive(complete)
      }
    case .ping:
      let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
      context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
    case .connectionClose:
      guard !closed else { return }
      closed = true
      var data = frame.unmaskedData
      let code = data.readWebSocketErrorCode() ?? .normalClosure
      var reply = context.channel.allocator.buffer(capacity: 2)
      reply.write(webSocketErrorCode: code)
      let channel = context.channel
      context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
        .whenComplete { _ in channel.close(promise: nil) }
      session.clientClosed()
    default:
      _ = frame
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    if !closed {
      closed = true
      session.clientClosed()
    }
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }
}
