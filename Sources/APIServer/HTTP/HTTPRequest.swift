import NIOHTTP1

/// One API request as the handlers see it: whole body, parsed query, and who sent it.
public struct HTTPRequest: Sendable {
  public var method: HTTPMethod
  public var path: String
  public var query: [String: [String]]
  public var headers: HTTPHeaders
  public var body: [UInt8]
  /// The user established by the TLS client certificate, if any; bearer tokens are checked later.
  public var peerCertificateDER: [UInt8]?

  public init(
    method: HTTPMethod, uri: String, headers: HTTPHeaders, body: [UInt8] = [], peerCertificateDER: [UInt8]? = nil
  ) {
    self.method = method
    self.headers = headers
    self.body = body
    self.peerCertificateDER = peerCertificateDER
    let (path, query) = HTTPRequest.split(uri: uri)
    self.path = path
    self.query = query
  }

  /// The first value of a query parameter.
  public func parameter(_ name: String) -> String? { query[name]?.first }

  /// A boolean query parameter, read as Go's strconv.ParseBool does (`true`, `True`, `1`, `t`…).
  public func flag(_ name: String) -> Bool {
    ["1", "t", "T", "true", "TRUE", "True"].contains(parameter(name) ?? "")
  }

  static func split(uri: String) -> (String, [String: [String]]) {
    guard let mark = uri.firstIndex(of: "?") else { return (percentDecoded(uri), [:]) }
    var query: [String: [String]] = [:]
    for pair in uri[uri.index(after: mark)...].split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = percentDecoded(String(parts[0]), plusIsSpace: true)
      let value = parts.count > 1 ? percentDecoded(String(parts[1]), plusIsSpace: true) : ""
      query[name, default: []].append(value)
    }
    return (percentDecoded(String(uri[..<mark])), query)
  }

  static func percentDecoded(_ text: String, plusIsSpace: Bool = false) -> String {
    guard text.contains("%") || (plusIsSpace && text.contains("+")) else { return text }
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let byte = utf8.popFirst() {
      if byte == UInt8(ascii: "%"), utf8.count >= 2,
        let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        utf8 = utf8.dropFirst(2)
      } else if plusIsSpace && byte == UInt8(ascii: "+") {
        bytes.append(UInt8(ascii: " "))
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// What a handler answers: a whole body, or a stream (watch) that writes until it ends or the
/// client goes away.
public enum HTTPResponse: Sendable {
  case full(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8])
  case stream(
    status: HTTPResponseStatus, headers: HTTPHeaders, body: @Sendable (ResponseBodyWriter) async throws -> Void)
  /// The handler takes an HTTP/1.1 connection over (exec, attach, port-forward upgrades): HTTP
  /// leaves the pipeline and the closure gets the raw bytes, writing its own response head
  /// (the kubelet's 101, proxied) first. Over HTTP/2 this answers 400.
  case takeOver(@Sendable (RawConnection) async -> Void)
}

/// Writes parts of a streamed body; each write waits until the transport took it, so a slow
/// client slows its own stream rather than growing the server's memory.
public protocol ResponseBodyWriter: Sendable {
  func write(_ bytes: [UInt8]) async throws
}
