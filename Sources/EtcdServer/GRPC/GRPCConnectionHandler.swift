import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Serves gRPC on one HTTP/2 connection, working on the connection's frames directly.
///
/// Each request stream is a small state record here; a unary call becomes one task when its
/// request has arrived, and its response goes out as three frames (headers, message, trailers)
/// in one flush. Flow control for what clients send is ours to grant: the HTTP/2 handler only
/// does it for stream channels, which this transport does without.
final class GRPCConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = HTTP2Frame
  typealias OutboundOut = HTTP2Frame

  /// What the server advertises; each stream may send this much before we grant more.
  static let streamWindow = 1 << 20
  static let settings: HTTP2Settings = [
    HTTP2Setting(parameter: .maxConcurrentStreams, value: 4096),
    HTTP2Setting(parameter: .initialWindowSize, value: streamWindow),
    HTTP2Setting(parameter: .maxHeaderListSize, value: 16384),
  ]
  /// The connection-wide window we keep open for all streams together.
  static let connectionWindow = 16 << 20
  /// Requests a streaming call may have waiting before the client is told it sends too fast.
  static let streamingBacklog = 1024

  private struct Stream {
    let method: GRPCMethod
    let context: ServerContext
    var reader: GRPCMessageReader
    /// The request of a unary call, once whole.
    var request: [UInt8]?
    /// Where a streaming call's requests go.
    var requests: GRPCRequestBytes.Continuation?
    var task: Task<Void, Never>?
    var sentHeaders = false
    /// Received bytes not yet granted back to this stream.
    var ungranted = 0
    /// The client has sent all it will send.
    var inboundClosed = false
  }

  private let routes: [String: GRPCMethod]
  private let maxMessageBytes: Int
  private var streams: [HTTP2StreamID: Stream] = [:]
  private var context: ChannelHandlerContext?
  private var ungrantedConnectionBytes = 0
  private var flushScheduled = false
  private var remotePeer = ""
  private var localPeer = ""

  init(routes: [String: GRPCMethod], maxMessageBytes: Int) {
    self.routes = routes
    self.maxMessageBytes = maxMessageBytes
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    remotePeer = context.channel.remoteAddress.map { "\($0)" } ?? "unknown"
    localPeer = context.channel.localAddress.map { "\($0)" } ?? "unknown"
    if context.channel.isActive { openConnectionWindow(context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    // The HTTP/2 handler before this one has sent its preface by now.
    openConnectionWindow(context)
    context.fireChannelActive()
  }

  /// Opens the connection window beyond HTTP/2's 64 KiB at once, so large requests and many
  /// concurrent streams never wait for a grant.
  private func openConnectionWindow(_ context: ChannelHandlerContext) {
    let increment = Self.connectionWindow - 65_535
    context.writeAndFlush(
      wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: increment))),
      promise: nil)
  }

  func handlerRemoved(context: ChannelHandlerContext) {
    abandonAll()
    self.context = nil
  }

  func channelInactive(context: ChannelHandlerContext) {
    abandonAll()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let frame = unwrapInboundIn(data)
    switch frame.payload {
    case .headers(let headers):
      received(headers.headers, endStream: headers.endStream, on: frame.streamID)
    case .data(let payload):
      received(payload, on: frame.streamID)
    case .rstStream:
      if let stream = streams.removeValue(forKey: frame.streamID) { abandon(stream) }
    default:
      break
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if let closed = event as? StreamClosedEvent, let stream = streams.removeValue(forKey: closed.streamID) {
      abandon(stream)
    }
    context.fireUserInboundEventTriggered(event)
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    context.flush()
  }

  // MARK: Requests

  private func received(_ headers: HPACKHeaders, endStream: Bool, on id: HTTP2StreamID) {
    if streams[id] != nil {
      // Trailers from the client: gRPC sends none, but they end the request stream.
      if endStream { endOfRequests(on: id) }
      return
    }
    let path = headers.first(name: ":path") ?? ""
    guard let method = routes[path] else {
      return fail(id, RPCError(code: .unimplemented, message: "unknown method \(path)"))
    }
    if let encoding = headers.first(name: "grpc-encoding"), encoding != "identity" {
      return fail(id, RPCError(code: .unimplemented, message: "grpc: compression \(encoding) is not supported"))
    }
    let context = ServerContext(
      descriptor: method.descriptor, remotePeer: remotePeer, localPeer: localPeer, cancellation: .init())
    var stream = Stream(method: method, context: context, reader: GRPCMessageReader(maxMessageBytes: maxMessageBytes))
    if case .streaming(let body) = method.handler {
      let (requests, continuation) = GRPCRequestBytes.makeStream(
        bufferingPolicy: .bufferingOldest(Self.streamingBacklog))
      stream.requests = continuation
      let responses = GRPCResponseBytes(handler: loopBound, stream: id)
      stream.task = Task {
        let failure: RPCError?
        do {
          try await body(requests, responses, context)
          failure = nil
        } catch {
          failure = RPCError(converting: error)
        }
        responses.handler.eventLoop.execute { responses.handler.value.finish(id, failure) }
      }
    }
    streams[id] = stream
    if endStream { endOfRequests(on: id) }
  }

  private func received(_ payload: HTTP2Frame.FramePayload.Data, on id: HTTP2StreamID) {
    let length = payload.data.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0)
    grantConnection(length)
    guard var stream = streams[id], case .byteBuffer(let bytes) = payload.data else { return }
    stream.reader.append(bytes)
    do {
      while let message = try stream.reader.next() {
        switch stream.method.handler {
        case .unary, .unaryCallback:
          if stream.request != nil {
            throw RPCError(code: .unimplemented, message: "grpc: a unary call takes one request message")
          }
          stream.request = message
        case .streaming:
          if case .dropped = stream.requests?.yield(message) {
            throw RPCError(code: .resourceExhausted, message: "grpc: the client sends faster than the call reads")
          }
        }
      }
    } catch {
      streams[id] = stream
      return fail(id, error)
    }
    if !payload.endStream {
      stream.ungranted += length
      if stream.ungranted >= Self.streamWindow / 2 {
        write(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: stream.ungranted)))
        stream.ungranted = 0
      }
    }
    streams[id] = stream
    if payload.endStream { endOfRequests(on: id) }
  }

  private func endOfRequests(on id: HTTP2StreamID) {
    guard var stream = streams[id], !stream.inboundClosed else { return }
    stream.inboundClosed = true
    if stream.reader.hasPartialMessage {
      streams[id] = stream
      return fail(id, RPCError(code: .internalError, message: "grpc: the request stream ended inside a message"))
    }
    switch stream.method.handler {
    case .streaming:
      stream.requests?.finish()
      stream.requests = nil
      streams[id] = stream
    case .unary, .unaryCallback:
      guard let request = stream.request else {
        streams[id] = stream
        return fail(id, RPCError(code: .internalError, message: "grpc: the client sent no request message"))
      }
      let handler = loopBound
      let complete: GRPCRespond<ByteBuffer> = { result in
        handler.eventLoop.execute { handler.value.complete(id, result) }
      }
      switch stream.method.handler {
      case .unary(let body):
        let context = stream.context
        stream.task = Task {
          do { complete(.success(try await body(request, context))) } catch {
            complete(.failure(RPCError(converting: error)))
          }
        }
        streams[id] = stream
      case .unaryCallback(let body):
        streams[id] = stream
        body(request, complete)
      case .streaming:
        break
      }
    }
  }

  private func grantConnection(_ length: Int) {
    ungrantedConnectionBytes += length
    if ungrantedConnectionBytes >= Self.connectionWindow / 2 {
      write(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: ungrantedConnectionBytes)))
      ungrantedConnectionBytes = 0
    }
  }

  // MARK: Responses

  private static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
  private static let okTrailers: HPACKHeaders = ["grpc-status": "0"]

  private func complete(_ id: HTTP2StreamID, _ result: Result<ByteBuffer, RPCError>) {
    guard streams.removeValue(forKey: id) != nil, context != nil else { return }
    switch result {
    case .success(let message):
      write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: Self.responseHeaders))))
      write(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(message)))))
      write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: Self.okTrailers, endStream: true))))
    case .failure(let error):
      write(
        HTTP2Frame(streamID: id, payload: .headers(.init(headers: Self.trailers(error, only: true), endStream: true))))
    }
    scheduleFlush()
  }

  /// Sends one message of a streaming call; the future completes when it is written.
  fileprivate func send(_ message: ByteBuffer, on id: HTTP2StreamID) -> EventLoopFuture<Void>? {
    guard var stream = streams[id], let context else { return nil }
    if !stream.sentHeaders {
      stream.sentHeaders = true
      streams[id] = stream
      write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: Self.responseHeaders))))
    }
    let promise = context.eventLoop.makePromise(of: Void.self)
    context.write(
      wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(message))))), promise: promise)
    scheduleFlush()
    return promise.futureResult
  }

  /// Ends a streaming call with its status.
  private func finish(_ id: HTTP2StreamID, _ failure: RPCError?) {
    guard let stream = streams.removeValue(forKey: id) else { return }
    stream.requests?.finish()
    let headers =
      if let failure { Self.trailers(failure, only: !stream.sentHeaders) } else {
        stream.sentHeaders ? Self.okTrailers : Self.trailersOnlyOK
      }
    write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers, endStream: true))))
    if !stream.inboundClosed {
      write(HTTP2Frame(streamID: id, payload: .rstStream(.noError)))
    }
    scheduleFlush()
  }

  /// Ends a call the server gave up on, or one that cannot start (unknown method, unsupported
  /// encoding): its status, then a reset if the client is still sending.
  private func fail(_ id: HTTP2StreamID, _ error: Error) {
    let stream = streams.removeValue(forKey: id)
    if let stream { abandon(stream) }
    let sentHeaders = stream?.sentHeaders ?? false
    write(
      HTTP2Frame(
        streamID: id,
        payload: .headers(
          .init(headers: Self.trailers(RPCError(converting: error), only: !sentHeaders), endStream: true))))
    if !(stream?.inboundClosed ?? false) {
      write(HTTP2Frame(streamID: id, payload: .rstStream(.noError)))
    }
    scheduleFlush()
  }

  private static let trailersOnlyOK: HPACKHeaders = [
    ":status": "200", "content-type": "application/grpc", "grpc-status": "0",
  ]

  /// The status a call ends with; `only` when no response headers went before it.
  private static func trailers(_ error: RPCError, only: Bool) -> HPACKHeaders {
    var headers: HPACKHeaders = only ? responseHeaders : [:]
    headers.add(name: "grpc-status", value: String(error.code.rawValue))
    headers.add(name: "grpc-message", value: percentEncoded(error.message))
    return headers
  }

  /// grpc-message is percent-encoded outside printable ASCII (gRPC over HTTP/2 spec).
  static func percentEncoded(_ message: String) -> String {
    var encoded = ""
    for byte in message.utf8 {
      if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
        encoded.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        encoded += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
      }
    }
    return encoded
  }

  private func abandonAll() {
    for stream in streams.values { abandon(stream) }
    streams = [:]
  }

  private func abandon(_ stream: Stream) {
    stream.task?.cancel()
    stream.requests?.finish(throwing: CancellationError())
  }

  private func write(_ frame: HTTP2Frame) {
    context?.write(wrapOutboundOut(frame), promise: nil)
  }

  /// Responses finishing in the same event-loop turn share one flush.
  private func scheduleFlush() {
    guard !flushScheduled, let context else { return }
    flushScheduled = true
    let handler = loopBound
    context.eventLoop.execute {
      handler.value.flushScheduled = false
      handler.value.context?.flush()
    }
  }

  private var loopBound: NIOLoopBound<GRPCConnectionHandler> {
    NIOLoopBound(self, eventLoop: context!.eventLoop)
  }

}

/// Where a streaming call writes its responses: hops to the connection's event loop.
struct GRPCResponseBytes: Sendable {
  let handler: NIOLoopBound<GRPCConnectionHandler>
  let stream: HTTP2StreamID

  /// Sends one framed message (`Message.grpcFrame()`).
  func write(_ message: ByteBuffer) async throws {
    let written = try await handler.eventLoop.submit { [handler, stream] in
      handler.value.send(message, on: stream)
    }.get()
    guard let written else { throw CancellationError() }
    try await written.get()
  }
}

extension RPCError {
  /// Any failure as a status: RPCErrors as they are, anything else as UNKNOWN.
  init(converting error: any Error) {
    if let rpc = error as? RPCError {
      self = rpc
    } else if error is CancellationError {
      self = RPCError(code: .cancelled, message: "context canceled")
    } else {
      self = RPCError(code: .unknown, message: "\(error)")
    }
  }
}
