import Foundation

/// Where the etcd API listens: a unix socket (the default, guarded by its file mode) or TCP.
public enum EtcdListenAddress: Sendable, Equatable, CustomStringConvertible {
  case unix(path: String)
  case tcp(host: String, port: Int)

  /// Accepts `/path`, `unix:///path`, `host:port`, `[v6]:port` and `http(s)://host:port`.
  public init(parsing text: String) throws {
    if text.hasPrefix("/") {
      self = .unix(path: text)
      return
    }
    if text.hasPrefix("unix://") {
      let path = String(text.dropFirst("unix://".count))
      guard path.hasPrefix("/") else { throw Self.invalid(text) }
      self = .unix(path: path)
      return
    }
    var rest = Substring(text)
    for scheme in ["http://", "https://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
    guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
      (0...65535).contains(port)
    else { throw Self.invalid(text) }
    var host = String(rest[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { throw Self.invalid(text) }
    self = .tcp(host: host, port: port)
  }

  private static func invalid(_ text: String) -> EtcdServerError {
    .invalidListenAddress(
      "--etcd-listen \(text) is not an address; use a unix socket path (/var/lib/skiff/server/db/etcd.sock or unix:///path), HOST:PORT such as 127.0.0.1:2379, or an empty value to disable"
    )
  }

  /// Loopback and unix sockets never leave the machine; anything else needs mutual TLS.
  public var isLocal: Bool {
    switch self {
    case .unix: true
    case .tcp(let host, _): host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
  }

  /// The URL etcd clients use for it.
  public var url: String {
    switch self {
    case .unix(let path): "unix://\(path)"
    case .tcp(let host, let port): host.contains(":") ? "https://[\(host)]:\(port)" : "http://\(host):\(port)"
    }
  }

  public var description: String { url }
}

public enum EtcdServerError: Error, CustomStringConvertible {
  case invalidListenAddress(String)
  case tlsRequired(String)

  public var description: String {
    switch self {
    case .invalidListenAddress(let why), .tlsRequired(let why): why
    }
  }
}
