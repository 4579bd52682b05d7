import NIOCore

/// A connection's bytes after HTTP has left it (an upgrade handed over, or a kubelet
/// connection): reads are pulled one buffer at a time, so a slow reader stops the socket
/// instead of growing memory.
public final class RawConnection: Sendable {
  let channel: any Channel
  private let reader: NIOLoopBound<PullReadHandler>

  /// Installs the reader; call on the channel's event loop, with automatic reading off.
  init(channel: any Channel) throws {
    self.channel = channel
    let handler = PullReadHandler()
    try channel.pipeline.syncOperations.addHandler(handler)
    reader = NIOLoopBound(handler, eventLoop: channel.eventLoop)
  }

  /// The next bytes, or nil once the peer closed.
  public func read() async throws -> ByteBuffer? {
    let reader = self.reader
    let loop = channel.eventLoop
    return try await loop.flatSubmit { reader.value.next(on: loop) }.get()
  }

  public func write(_ buffer: ByteBuffer) async throws {
    try await channel.writeAndFlush(buffer)
  }

  public func write(_ bytes: [UInt8]) async throws {
    try await write(ByteBuffer(bytes: bytes))
  }

  public func close() {
    channel.close(promise: nil)
  }

  /// Copies both ways until either side ends, then closes both.
  public static func splice(_ a: RawConnection, _ b: RawConnection) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await copy(from: a, to: b) }
      group.addTask { await copy(from: b, to: a) }
      await group.next()
      a.close()
      b.close()
      await group.next()
    }
  }

  private static func copy(from source: RawConnection, to target: RawConnection) async {
    while let buffer = try? await source.read() {
      do { try await target.write(buffer) } catch { return }
    }
  }
}

/// Holds what arrived until asked; asks the socket for more only when a reader waits.
final class PullReadHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = ByteBuffer

  private var buffered: [ByteBuffer] = []
  private var ended = false
  private var failure: (any Error)?
  private var waiting: EventLoopPromise<ByteBuffer?>?
  private var context: ChannelHandlerContext?

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  func next(on loop: any EventLoop) -> EventLoopFuture<ByteBuffer?> {
    if !buffered.isEmpty { return loop.makeSucceededFuture(buffered.removeFirst()) }
    if let failure { return loop.makeFailedFuture(failure) }
    guard let context, !ended else { return loop.makeSucceededFuture(nil) }
    let promise = loop.makePromise(of: ByteBuffer?.self)
    waiting = promise
    context.read()
    return promise.futureResult
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let buffer = unwrapInboundIn(data)
    if let waiting {
      self.waiting = nil
      waiting.succeed(buffer)
    } else {
      buffered.append(buffer)
    }
  }

  /// A read that produced no bytes (a TLS record still incomplete) asks again.
  func channelReadComplete(context: ChannelHandlerContext) {
    if waiting != nil { context.read() }
    context.fireChannelReadComplete()
  }

  func channelInactive(context: ChannelHandlerContext) {
    ended = true
    waiting?.succeed(nil)
    waiting = nil
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    failure = error
    waiting?.fail(error)
    waiting = nil
    context.close(promise: nil)
  }
}
