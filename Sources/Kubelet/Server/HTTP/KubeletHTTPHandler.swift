import Logging
import NIOCore
import NIOHTTP1

/// One kubelet API request as the routes see it.
struct KubeletRequest: Sendable {
  var method: HTTPMethod
  var path: String
  var query: [String: [String]]
  var headers: HTTPHeaders
  var peerCertificateDER: [UInt8]?

  init(head: HTTPRequestHead, peerCertificateDER: [UInt8]?) {
    method = head.method
    headers = head.headers
    self.peerCertificateDER = peerCertificateDER
    let (path, query) = Self.split(uri: head.uri)
    self.path = path
    self.query = query
  }

  static func split(uri: String) -> (String, [String: [String]]) {
    guard let mark = uri.firstIndex(of: "?") else { return (percentDecoded(uri), [:]) }
    var query: [String: [String]] = [:]
    for pair in uri[uri.index(after: mark)...].split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      query[percentDecoded(String(parts[0])), default: []].append(
        parts.count > 1 ? percentDecoded(String(parts[1])) : "")
    }
    return (percentDecoded(String(uri[..<mark])), query)
  }

  static func percentDecoded(_ text: String) -> String {
    guard text.contains("%") || text.contains("+") else { return text }
    var bytes: [UInt8] = []
    var rest = Array(text.utf8)[...]
    while let byte = rest.popFirst() {
      if byte == UInt8(ascii: "%"), rest.count >= 2,
        let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        rest = rest.dropFirst(2)
      } else {
        bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// A kubelet API answer: whole, or a body written in parts (followed logs).
enum KubeletResponse: Sendable {
  case full(HTTPResponseStatus, contentType: String, body: [UInt8])
  case stream(
    contentType: String, body: @Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async throws -> Void)

  static func error(_ error: KubeletError) -> KubeletResponse {
    let status: HTTPResponseStatus =
      switch error.code {
      case .notFound: .notFound
      case .invalidArgument: .badRequest
      case .unauthorized: .unauthorized
      case .forbidden: .forbidden
      case .failedPrecondition: .badRequest
      case .joinRefused: .forbidden
      case .io: .internalServerError
      case .unavailable: .serviceUnavailable
      }
    return .full(status, contentType: "text/plain; charset=utf-8", body: Array((error.message + "\n").utf8))
  }
}

/// Collects a request (bodies are ignored: no kubelet endpoint here takes one), runs the route
/// and writes its answer; a streamed answer is cancelled when the client goes away.
final class KubeletHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  static let name = "kubelet-http"
  private let peerCertificateDER: @Sendable () -> [UInt8]?
  private let route: @Sendable (KubeletRequest) async -> KubeletResponse
  private var head: HTTPRequestHead?
  private var task: Task<Void, Never>?

  init(
    peerCertificateDER: @escaping @Sendable () -> [UInt8]?,
    route: @escaping @Sendable (KubeletRequest) async -> KubeletResponse
  ) {
    self.peerCertificateDER = peerCertificateDER
    self.route = route
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = unwrapInboundIn(data)
    if case .head(let received) = part {
      head = received
    } else if case .end = part, let received = head {
      head = nil
      task = Self.spawn(
        KubeletRequest(head: received, peerCertificateDER: peerCertificateDER()), route: route,
        keepAlive: received.isKeepAlive, channel: context.channel)
    }
  }

  private static func spawn(
    _ request: KubeletRequest, route: @escaping @Sendable (KubeletRequest) async -> KubeletResponse, keepAlive: Bool,
    channel: any Channel
  ) -> Task<Void, Never> {
    Task { await serve(request, route: route, keepAlive: keepAlive, channel: channel) }
  }

  func channelInactive(context: ChannelHandlerContext) {
    task?.cancel()
    task = nil
    context.fireChannelInactive()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    context.close(promise: nil)
  }

  private static func serve(
    _ request: KubeletRequest, route: @Sendable (KubeletRequest) async -> KubeletResponse, keepAlive: Bool,
    channel: any Channel
  ) async {
    await write(await route(request), keepAlive: keepAlive, to: channel)
  }

  private static func write(_ response: KubeletResponse, keepAlive: Bool, to channel: any Channel) async {
    switch response {
    case .full(let status, let type, let body):
      var headers = HTTPHeaders()
      headers.add(name: "content-type", value: type)
      headers.add(name: "content-length", value: String(body.count))
      if !keepAlive { headers.add(name: "connection", value: "close") }
      channel.write(
        HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)), promise: nil
      )
      if !body.isEmpty {
        channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
      }
      let done = channel.eventLoop.makePromise(of: Void.self)
      channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: done)
      if !keepAlive { done.futureResult.whenComplete { _ in channel.close(promise: nil) } }
      try? await done.futureResult.get()
    case .stream(let type, let produce):
      var headers = HTTPHeaders()
      headers.add(name: "content-type", value: type)
      headers.add(name: "transfer-encoding", value: "chunked")
      do {
        try await channel.writeAndFlush(
          HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        try await produce { bytes in
          try Task.checkCancellation()
          try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))))
        }
        try await channel.writeAndFlush(HTTPServerResponsePart.end(nil))
        if !keepAlive { channel.close(promise: nil) }
      } catch {
        channel.close(promise: nil)
      }
    }
  }
}
