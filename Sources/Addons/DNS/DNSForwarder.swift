import Logging
import NIOCore
import NIOPosix

/// Sends questions outside the cluster zone to the node's upstream resolvers, one after the
/// other on failure, over UDP with a fresh socket (random source port) and random ID per
/// query, retrying over TCP when the answer is truncated. Answers go through the cache.
final class DNSForwarder: DNSUpstream {
  let upstreams: [SocketAddress]
  let cache: DNSCache
  let timeout: TimeAmount
  let logger: Logger

  init(upstreams: [SocketAddress], cache: DNSCache, timeout: TimeAmount = .seconds(2), logger: Logger) {
    self.upstreams = upstreams
    self.cache = cache
    self.timeout = timeout
    self.logger = logger
  }

  func resolve(_ question: DNSQuestion, on eventLoop: any EventLoop) -> EventLoopFuture<DNSUpstreamResult> {
    if let cached = cache.lookup(question) { return eventLoop.makeSucceededFuture(cached) }
    return ask(question, upstream: 0, on: eventLoop).map { [cache] result in
      cache.store(question, result)
      return result
    }
  }

  /// Tries upstreams in order; SERVFAIL/REFUSED or silence moves on, the last word stands.
  private func ask(_ question: DNSQuestion, upstream index: Int, on eventLoop: any EventLoop)
    -> EventLoopFuture<DNSUpstreamResult>
  {
    guard index < upstreams.count else {
      return eventLoop.makeSucceededFuture(DNSUpstreamResult(code: .serverFailure))
    }
    let upstream = upstreams[index]
    let isLast = index == upstreams.count - 1
    return exchange(question, with: upstream, on: eventLoop).flatMap { message in
      let result = DNSUpstreamResult(
        code: message.responseCode, answers: message.answers, authorities: message.authorities,
        additionals: message.additionals)
      if !isLast, result.code == .serverFailure || result.code == .refused {
        return self.ask(question, upstream: index + 1, on: eventLoop)
      }
      return eventLoop.makeSucceededFuture(result)
    }.flatMapError { error in
      self.logger.debug("upstream failed", metadata: ["upstream": "\(upstream)", "error": "\(error)"])
      return self.ask(question, upstream: index + 1, on: eventLoop)
    }
  }

  /// One query to one upstream: UDP, then TCP when the UDP answer is truncated.
  func exchange(_ question: DNSQuestion, with upstream: SocketAddress, on eventLoop: any EventLoop)
    -> EventLoopFuture<DNSMessage>
  {
    udp(question, upstream, on: eventLoop).flatMap { message in
      message.truncated ? self.tcp(question, upstream, on: eventLoop) : eventLoop.makeSucceededFuture(message)
    }
  }

  private func query(_ question: DNSQuestion) -> (UInt16, [UInt8]) {
    let id = UInt16.random(in: .min ... .max)
    let message = DNSMessage.query(
      id: id, name: question.name, type: question.type, recordClass: question.recordClass,
      edns: EDNS(udpPayloadSize: 1232))
    return (id, message.encoded())
  }

  private func udp(_ question: DNSQuestion, _ upstream: SocketAddress, on eventLoop: any EventLoop)
    -> EventLoopFuture<DNSMessage>
  {
    let (id, bytes) = query(question)
    let promise = eventLoop.makePromise(of: DNSMessage.self)
    let bind = upstream.protocol == .inet6 ? "::" : "0.0.0.0"
    DatagramBootstrap(group: eventLoop)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(
            DNSUpstreamResponseHandler<AddressedEnvelope<ByteBuffer>>(id: id, question: question, promise: promise) {
              $0.remoteAddress == upstream ? $0.data : nil
            })
        }
      }
      .bind(host: bind, port: 0)
      .whenComplete { result in
        switch result {
        case .failure(let error): promise.fail(error)
        case .success(let channel):
          self.arm(promise, channel: channel, upstream: upstream, question: question)
          let buffer = channel.allocator.buffer(bytes: bytes)
          channel.writeAndFlush(AddressedEnvelope(remoteAddress: upstream, data: buffer)).whenFailure {
            promise.fail($0)
          }
        }
      }
    return promise.futureResult
  }

  private func tcp(_ question: DNSQuestion, _ upstream: SocketAddress, on eventLoop: any EventLoop)
    -> EventLoopFuture<DNSMessage>
  {
    let (id, bytes) = query(question)
    let promise = eventLoop.makePromise(of: DNSMessage.self)
    ClientBootstrap(group: eventLoop)
      .connectTimeout(timeout)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
          try channel.pipeline.syncOperations.addHandler(
            DNSUpstreamResponseHandler<ByteBuffer>(id: id, question: question, promise: promise) { $0 })
        }
      }
      .connect(to: upstream)
      .whenComplete { result in
        switch result {
        case .failure(let error): promise.fail(error)
        case .success(let channel):
          self.arm(promise, channel: channel, upstream: upstream, question: question)
          channel.writeAndFlush(channel.allocator.tcpFrame(bytes)).whenFailure { promise.fail($0) }
        }
      }
    return promise.futureResult
  }

  /// Fails the query after the timeout and closes its socket whatever happens.
  private func arm(
    _ promise: EventLoopPromise<DNSMessage>, channel: any Channel, upstream: SocketAddress, question: DNSQuestion
  ) {
    let timer = channel.eventLoop.scheduleTask(in: timeout) {
      promise.fail(AddonsError(.io, "upstream \(upstream) did not answer \(question.name) in \(self.timeout)"))
    }
    promise.futureResult.whenComplete { _ in
      timer.cancel()
      channel.close(promise: nil)
    }
  }
}
