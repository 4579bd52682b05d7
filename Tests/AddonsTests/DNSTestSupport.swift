import NIOCore
import NIOPosix
import SkiffCore
import Synchronization

@testable import Addons

/// A clock the test moves by hand.
final class ManualClock: WallClock {
  private let now = Mutex<Int64>(1_000_000)
  func nowMilliseconds() -> Int64 { now.withLock { $0 } }
  func advance(seconds: Int64) { now.withLock { $0 += seconds * 1000 } }
}

/// An upstream resolver the test runs on loopback (UDP and TCP on one port), answering from
/// a table and counting what it was asked. Names in `truncated` get TC over UDP.
final class TestUpstream: Sendable {
  let answers: [DNSQuestion: DNSUpstreamResult]
  let truncated: Set<DNSName>
  let asked = Mutex<[(question: DNSQuestion, udp: Bool)]>([])
  let channels = Mutex<[any Channel]>([])

  init(answers: [DNSQuestion: DNSUpstreamResult], truncated: Set<DNSName> = []) {
    self.answers = answers
    self.truncated = truncated
  }

  var address: SocketAddress { channels.withLock { $0[0].localAddress! } }
  var count: Int { asked.withLock { $0.count } }

  func start() async throws {
    let udp = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UDPHandler(self)) }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    let tcp = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
          try channel.pipeline.syncOperations.addHandler(TCPHandler(self))
        }
      }
      .bind(to: udp.localAddress!).get()
    channels.withLock { $0 = [udp, tcp] }
  }

  func stop() async {
    for channel in channels.withLock({ $0 }) { try? await channel.close() }
  }

  func respond(_ buffer: ByteBuffer, udp: Bool) -> [UInt8]? {
    guard let query = try? buffer.withUnsafeReadableBytes({ try DNSMessage(decoding: $0) }),
      let question = query.questions.first
    else { return nil }
    asked.withLock { $0.append((question, udp)) }
    var response = DNSMessage.response(to: query)
    if udp && truncated.contains(question.name) {
      response.truncated = true
      return response.encoded()
    }
    let key = DNSQuestion(name: question.name.lowercased, type: question.type, recordClass: question.recordClass)
    let result = answers[key] ?? DNSUpstreamResult(code: .nameError)
    response.responseCode = result.code
    response.answers = result.answers
    response.authorities = result.authorities
    response.additionals = result.additionals
    return response.encoded(maxSize: udp ? 1232 : 65535)
  }

  final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let upstream: TestUpstream
    init(_ upstream: TestUpstream) { self.upstream = upstream }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      let envelope = unwrapInboundIn(data)
      guard let bytes = upstream.respond(envelope.data, udp: true) else { return }
      context.writeAndFlush(
        wrapOutboundOut(
          AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: bytes))
        ),
        promise: nil)
    }
  }

  final class TCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let upstream: TestUpstream
    init(_ upstream: TestUpstream) { self.upstream = upstream }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      guard let bytes = upstream.respond(unwrapInboundIn(data), udp: false) else { return }
      context.writeAndFlush(wrapOutboundOut(context.channel.allocator.tcpFrame(bytes)), promise: nil)
    }
  }
}

/// A stub resolver's side of the wire: one query over UDP or TCP, raw answer back.
enum TestClient {
  static func udp(_ query: DNSMessage, to address: SocketAddress) async throws -> DNSMessage {
    let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: DNSMessage.self)
    let question = query.questions[0]
    let channel = try await DatagramBootstrap(group: promise.futureResult.eventLoop)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            DNSUpstreamResponseHandler<AddressedEnvelope<ByteBuffer>>(
              id: query.id, question: question, promise: promise
            ) {
              $0.data
            })
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    return try await finish(channel, promise, channel.allocator.buffer(bytes: query.encoded()), to: address)
  }

  static func tcp(_ query: DNSMessage, to address: SocketAddress) async throws -> DNSMessage {
    let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: DNSMessage.self)
    let question = query.questions[0]
    let channel = try await ClientBootstrap(group: promise.futureResult.eventLoop)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
          try channel.pipeline.syncOperations.addHandler(
            DNSUpstreamResponseHandler<ByteBuffer>(id: query.id, question: question, promise: promise) { $0 })
        }
      }
      .connect(to: address).get()
    return try await finish(channel, promise, channel.allocator.tcpFrame(query.encoded()), to: nil)
  }

  private static func finish(
    _ channel: any Channel, _ promise: EventLoopPromise<DNSMessage>, _ buffer: ByteBuffer, to address: SocketAddress?
  ) async throws -> DNSMessage {
    let timer = channel.eventLoop.scheduleTask(in: .seconds(10)) {
      promise.fail(AddonsError(.io, "no answer in 10 s"))
    }
    if let address {
      try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer))
    } else {
      try await channel.writeAndFlush(buffer)
    }
    defer {
      timer.cancel()
      channel.close(promise: nil)
    }
    return try await promise.futureResult.get()
  }
}
