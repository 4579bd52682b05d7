/// Where and how to reach registries, in the shape of K3s's `/etc/skiff/registries.yaml`:
///
///     mirrors:
///       docker.io: {endpoint: ["https://mirror.example.com"]}
///       "*": {endpoint: ["http://cache.local:5000"]}
///     configs:
///       registry.example.com: {auth: {username: u, password: p}, tls: {ca_file: /etc/ssl/ca.pem}}
///     insecure: [registry.local:5000]
///
/// It is `Decodable` with those keys, so the caller parses YAML (or JSON) and the runtime needs
/// no YAML library. Mirrors are tried in order, then the registry itself.
public struct RegistryConfiguration: Sendable, Equatable, Decodable {
  public struct Mirror: Sendable, Equatable, Decodable {
    /// `scheme://host[:port][/path]`; `http://` makes the mirror plain HTTP.
    public var endpoints: [String]

    public init(endpoints: [String]) { self.endpoints = endpoints }

    enum CodingKeys: String, CodingKey { case endpoints = "endpoint" }

    public init(from decoder: Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      endpoints = try container.decodeIfPresent([String].self, forKey: .endpoints) ?? []
    }
  }

  /// Per-host settings (a registry's or a mirror's host).
  public struct HostConfig: Sendable, Equatable, Decodable {
    public var credentials: RegistryCredentials?
    public var insecureSkipVerify: Bool
    /// Extra CA certificates (PEM) trusted for this host, on top of the system's.
    public var caFile: String?
    /// A client certificate and key (PEM) for registries that ask for one.
    public var certFile: String?
    public var keyFile: String?

    public init(
      credentials: RegistryCredentials? = nil, insecureSkipVerify: Bool = false, caFile: String? = nil,
      certFile: String? = nil, keyFile: String? = nil
    ) {
      self.credentials = credentials
      self.insecureSkipVerify = insecureSkipVerify
      self.caFile = caFile
      self.certFile = certFile
      self.keyFile = keyFile
    }

    enum CodingKeys: String, CodingKey { case auth, tls }
    enum AuthKeys: String, CodingKey {
      case username, password, auth
      case identityToken = "identity_token"
    }
    enum TLSKeys: String, CodingKey {
      case insecureSkipVerify = "insecure_skip_verify"
      case caFile = "ca_file"
      case certFile = "cert_file"
      case keyFile = "key_file"
    }

    public init(from decoder: Decoder) throws {
      self.init()
      let container = try decoder.container(keyedBy: CodingKeys.self)
      if container.contains(.auth) {
        let auth = try container.nestedContainer(keyedBy: AuthKeys.self, forKey: .auth)
        let username = try auth.decodeIfPresent(String.self, forKey: .username) ?? ""
        let password = try auth.decodeIfPresent(String.self, forKey: .password) ?? ""
        if let token = try auth.decodeIfPresent(String.self, forKey: .identityToken), !token.isEmpty {
          credentials = RegistryCredentials(identityToken: token, username: username)
        } else if let encoded = try auth.decodeIfPresent(String.self, forKey: .auth), !encoded.isEmpty {
          credentials = try RegistryCredentials(base64Auth: encoded)
        } else if !username.isEmpty || !password.isEmpty {
          credentials = RegistryCredentials(username: username, password: password)
        }
      }
      if container.contains(.tls) {
        let tls = try container.nestedContainer(keyedBy: TLSKeys.self, forKey: .tls)
        insecureSkipVerify = try tls.decodeIfPresent(Bool.self, forKey: .insecureSkipVerify) ?? false
        caFile = try tls.decodeIfPresent(String.self, forKey: .caFile)
        certFile = try tls.decodeIfPresent(String.self, forKey: .certFile)
        keyFile = try tls.decodeIfPresent(String.self, forKey: .keyFile)
      }
    }
  }

  public var mirrors: [String: Mirror]
  public var configs: [String: HostConfig]
  /// Registries reached over plain HTTP (`host[:port]`).
  public var insecure: Set<String>
  /// Outbound proxies; by default from the process environment (`HTTPS_PROXY`, `NO_PROXY`…).
  public var proxy: RegistryProxy

  public init(
    mirrors: [String: [String]] = [:], configs: [String: HostConfig] = [:], insecure: Set<String> = [],
    proxy: RegistryProxy = .fromEnvironment()
  ) {
    self.mirrors = mirrors.mapValues { Mirror(endpoints: $0) }
    self.configs = configs
    self.insecure = insecure
    self.proxy = proxy
  }

  enum CodingKeys: String, CodingKey { case mirrors, configs, insecure }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    mirrors = try container.decodeIfPresent([String: Mirror].self, forKey: .mirrors) ?? [:]
    configs = try container.decodeIfPresent([String: HostConfig].self, forKey: .configs) ?? [:]
    insecure = Set(try container.decodeIfPresent([String].self, forKey: .insecure) ?? [])
    proxy = .fromEnvironment()
  }

  /// The endpoints to try for a registry, in order: its mirrors (or the `*` mirrors), then itself.
  func endpoints(for registry: String) throws -> [RegistryEndpoint] {
    var result: [RegistryEndpoint] = []
    for text in mirrors[registry]?.endpoints ?? mirrors["*"]?.endpoints ?? [] {
      let endpoint = try RegistryEndpoint(parsing: text, configuration: self)
      if !result.contains(endpoint) { result.append(endpoint) }
    }
    let upstream = RegistryEndpoint.upstream(registry, configuration: self)
    if !result.contains(upstream) { result.append(upstream) }
    return result
  }

  func config(for host: String) -> HostConfig? {
    configs[host] ?? configs["https://\(host)"] ?? configs["http://\(host)"]
  }
}

/// One place to send Registry API requests: scheme, host and the `/v2` path prefix.
struct RegistryEndpoint: Sendable, Hashable {
  var scheme: String
  var host: String
  var path: String
  var config: RegistryConfiguration.HostConfig?
  /// Loopback registries without configuration: HTTPS first, then plain HTTP, as containerd does.
  var fallsBackToHTTP = false
  /// How messages name it: the registry's name for the registry itself (docker.io), else the host.
  var displayName: String

  static func == (lhs: RegistryEndpoint, rhs: RegistryEndpoint) -> Bool {
    lhs.scheme == rhs.scheme && lhs.host == rhs.host && lhs.path == rhs.path
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(scheme)
    hasher.combine(host)
    hasher.combine(path)
  }

  var baseURL: String { "\(scheme)://\(host)\(path)" }

  init(scheme: String, host: String, path: String = "/v2", config: RegistryConfiguration.HostConfig? = nil) {
    self.scheme = scheme
    self.host = host
    self.path = path
    self.config = config
    displayName = host
  }

  init(parsing text: String, configuration: RegistryConfiguration) throws {
    var rest = Substring(text)
    var scheme = "https"
    if let range = rest.range(of: "://") {
      scheme = rest[..<range.lowerBound].lowercased()
      rest = rest[range.upperBound...]
    } else if configuration.insecure.contains(String(rest.split(separator: "/").first ?? "")) {
      scheme = "http"
    }
    guard scheme == "http" || scheme == "https" else {
      throw RuntimeError(.invalidArgument, "registry endpoint \"\(text)\" must use http:// or https://")
    }
    let host = String(rest.prefix { $0 != "/" })
    guard !host.isEmpty else { throw RuntimeError(.invalidArgument, "registry endpoint \"\(text)\" has no host") }
    var path = String(rest.dropFirst(host.count))
    while path.hasSuffix("/") { path.removeLast() }
    if !path.hasSuffix("/v2") { path += "/v2" }
    self.init(scheme: scheme, host: host, path: path, config: configuration.config(for: host))
  }

  /// The registry itself: Docker Hub's API host for docker.io; HTTP for insecure hosts.
  static func upstream(_ registry: String, configuration: RegistryConfiguration) -> RegistryEndpoint {
    let host = registry == "docker.io" ? "registry-1.docker.io" : registry
    let config = configuration.config(for: registry) ?? configuration.config(for: host)
    let insecure = configuration.insecure.contains(registry)
    var endpoint = RegistryEndpoint(scheme: insecure ? "http" : "https", host: host, config: config)
    endpoint.fallsBackToHTTP = !insecure && config == nil && isLoopback(host)
    endpoint.displayName = registry
    return endpoint
  }

  static func isLoopback(_ host: String) -> Bool {
    let name = DockerConfig.splitPort(host).0
    return name == "localhost" || name.hasPrefix("127.") || name == "[::1]" || name.hasSuffix(".localhost")
  }
}
