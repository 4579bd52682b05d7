/// One request to the Kubernetes API, independent of how it travels.
public struct KubeRequest: Sendable {
  public var method: String
  /// The path without the query, e.g. `/api/v1/namespaces/default/pods`.
  public var path: String
  public var query: [(String, String)]
  public var body: [UInt8]?
  public var contentType: String

  public init(
    method: String, path: String, query: [(String, String)] = [], body: [UInt8]? = nil,
    contentType: String = "application/json"
  ) {
    self.method = method
    self.path = path
    self.query = query
    self.body = body
    self.contentType = contentType
  }

  /// Path and query as one request URI, percent-encoded.
  public var uri: String {
    guard !query.isEmpty else { return path }
    return path + "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return out
  }
}

/// A whole response.
public struct KubeResponse: Sendable {
  public var status: Int
  public var body: [UInt8]

  public init(status: Int, body: [UInt8]) {
    self.status = status
    self.body = body
  }
}

/// A response whose body arrives in parts (watch streams).
public struct KubeStreamingResponse: Sendable {
  public var status: Int
  public var body: AsyncThrowingStream<[UInt8], any Error>

  public init(status: Int, body: AsyncThrowingStream<[UInt8], any Error>) {
    self.status = status
    self.body = body
  }
}

/// How requests reach an API server: over HTTPS (agents, tools) or inside the server's process
/// (controllers), where they still pass authorization, admission and validation.
public protocol KubeTransport: Sendable {
  func send(_ request: KubeRequest) async throws -> KubeResponse
  func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
