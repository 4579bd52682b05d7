import AsyncHTTPClient
import Foundation
import Synchronization

/// Outbound proxies for registry traffic from `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (or
/// their lower-case forms), which K3s users set for containerd in the service environment.
/// As Go's `ProxyFromEnvironment`, loopback registries are always reached directly.
public struct RegistryProxy: Sendable, Equatable {
  public var https: URL?
  public var http: URL?
  /// Host names, `.domain` suffixes (a bare domain also covers its subdomains), IPs, or `*`.
  public var noProxy: [String]

  public init(https: URL? = nil, http: URL? = nil, noProxy: [String] = []) {
    self.https = https
    self.http = http
    self.noProxy = noProxy
  }

  public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
    -> RegistryProxy
  {
    func value(_ name: String) -> String? {
      (environment[name] ?? environment[name.lowercased()]).flatMap { $0.isEmpty ? nil : $0 }
    }
    func url(_ text: String?) -> URL? {
      guard let text else { return nil }
      return URL(string: text.contains("://") ? text : "http://\(text)")
    }
    let exclusions = (value("NO_PROXY") ?? "").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }
    return RegistryProxy(https: url(value("HTTPS_PROXY")), http: url(value("HTTP_PROXY")), noProxy: exclusions)
  }

  /// The proxy for a request URL, or nil to connect directly.
  func proxy(for url: String) -> URL? {
    guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return nil }
    let proxy = components.scheme == "https" ? https : http
    guard let proxy else { return nil }
    if RegistryEndpoint.isLoopback(host) || host == "::1" { return nil }
    for rule in noProxy where !rule.isEmpty {
      if rule == "*" { return nil }
      let (name, port) = DockerConfig.splitPort(rule)
      if let port, components.port.map(String.init) != port { continue }
      let domain = name.hasPrefix(".") ? String(name.dropFirst()) : name
      if host == domain || host.hasSuffix("." + domain) { return nil }
    }
    return proxy
  }

  private static let clients = Mutex<[URL: HTTPClient]>([:])

  /// The HTTP client for a request: the direct one, or one per proxy (created once, kept for the process).
  func client(for url: String) -> HTTPClient {
    guard let proxy = proxy(for: url), let host = proxy.host else { return RegistryClient.http }
    return Self.clients.withLock { clients in
      if let client = clients[proxy] { return client }
      var configuration = RegistryClient.configuration
      let authorization = proxy.user.map {
        HTTPClient.Authorization.basic(
          username: $0.removingPercentEncoding ?? $0,
          password: (proxy.password ?? "").removingPercentEncoding ?? "")
      }
      configuration.proxy = .server(host: host, port: proxy.port ?? 80, authorization: authorization)
      let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
      clients[proxy] = client
      return client
    }
  }
}
