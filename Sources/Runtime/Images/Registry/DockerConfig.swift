import Foundation
import Glibc

/// The credentials of `kubernetes.io/dockerconfigjson` (`{"auths": {host: entry}}`) and legacy
/// `kubernetes.io/dockercfg` (`{host: entry}`) secrets, looked up for an image the way the
/// kubelet's keyring does: keys may carry a scheme, a path prefix and `*` globs in the host;
/// the most specific key wins, and Docker Hub answers to all of its names.
public struct DockerConfig: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    /// The key without scheme: `host[:port][/path]`, the host possibly with `*` globs.
    public var key: String
    public var credentials: RegistryCredentials
  }

  /// Entries in the order they were added.
  public private(set) var entries: [Entry]

  public init() { entries = [] }

  /// Parses either form; the contents of `.dockerconfigjson` or `.dockercfg`.
  public init(json: [UInt8]) throws {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(json))
    } catch {
      throw RuntimeError(.invalidArgument, "docker config is not valid JSON: \(error.localizedDescription)")
    }
    guard var map = object as? [String: Any] else {
      throw RuntimeError(.invalidArgument, "docker config must be a JSON object")
    }
    if let auths = map["auths"] as? [String: Any] { map = auths }
    entries = []
    for (key, value) in map.sorted(by: { $0.key < $1.key }) {
      guard let entry = value as? [String: Any] else { continue }
      if let credentials = try Self.credentials(from: entry) { add(key, credentials) }
    }
  }

  static func credentials(from entry: [String: Any]) throws -> RegistryCredentials? {
    var username = entry["username"] as? String ?? ""
    var password = entry["password"] as? String ?? ""
    if let auth = entry["auth"] as? String, !auth.isEmpty {
      let decoded = try RegistryCredentials(base64Auth: auth)
      (username, password) = (decoded.username, decoded.password)
    }
    if let token = entry["identitytoken"] as? String, !token.isEmpty {
      return RegistryCredentials(identityToken: token, username: username)
    }
    if username.isEmpty && password.isEmpty { return nil }
    return RegistryCredentials(username: username, password: password)
  }

  /// Adds credentials under a key such as `registry.example.com:5000`, `https://index.docker.io/v1/`
  /// or `*.example.com/team`.
  public mutating func add(_ key: String, _ credentials: RegistryCredentials) {
    entries.append(Entry(key: Self.normalize(key), credentials: credentials))
  }

  /// Appends another secret's entries (the kubelet merges all imagePullSecrets of a pod, in order).
  public mutating func merge(_ other: DockerConfig) { entries += other.entries }

  /// Drops the scheme, and `/v1/` or `/v2/` (which Docker treats as the bare host).
  static func normalize(_ key: String) -> String {
    var text = key
    for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text = String(text.dropFirst(scheme.count)) }
    guard let slash = text.firstIndex(of: "/") else { return text.lowercased() }
    let host = text[..<slash].lowercased()
    var path = String(text[slash...])
    if path.hasPrefix("/v1/") || path.hasPrefix("/v2/") { path = String(path.dropFirst(3)) }
    while path.hasSuffix("/") { path.removeLast() }
    return path.isEmpty ? host : host + path
  }

  /// Every credential that applies to an image, most specific key first; the kubelet tries them in this order.
  public func credentials(for image: ImageReference) -> [RegistryCredentials] {
    let keys = Array(Set(entries.map(\.key))).sorted(by: >)
    var result: [RegistryCredentials] = []
    for key in keys where Self.matches(key: key, registry: image.registry, repository: image.repository) {
      result += entries.filter { $0.key == key }.map(\.credentials)
    }
    return result
  }

  /// The first credentials for a registry host (a key without a path, or any key of that host).
  public func credentials(for host: String) -> RegistryCredentials? {
    let normalized = Self.normalize(host)
    let hostOnly = entries.filter { !$0.key.contains("/") }.sorted { $0.key > $1.key }
    let all = entries.sorted { $0.key > $1.key }
    for candidates in [hostOnly, all] {
      for entry in candidates {
        let keyHost = entry.key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? entry.key
        if Self.hostMatches(pattern: keyHost, host: normalized) { return entry.credentials }
      }
    }
    return nil
  }

  static let dockerHubNames: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

  static func matches(key: String, registry: String, repository: String) -> Bool {
    let parts = key.split(separator: "/", maxSplits: 1)
    guard let keyHost = parts.first.map(String.init) else { return false }
    guard hostMatches(pattern: keyHost, host: registry.lowercased()) else { return false }
    guard parts.count == 2 else { return true }
    // A path key matches whole repository components: `team` matches `team/app`, not `teamster`.
    let prefix = String(parts[1])
    return repository == prefix || repository.hasPrefix(prefix + "/")
  }

  /// Host globbing as the kubelet does it: same number of dot-separated parts, each a glob, ports equal.
  static func hostMatches(pattern: String, host: String) -> Bool {
    if dockerHubNames.contains(pattern) && dockerHubNames.contains(host) { return true }
    let (patternName, patternPort) = splitPort(pattern)
    let (hostName, hostPort) = splitPort(host)
    guard patternPort == hostPort else { return false }
    let patternParts = patternName.split(separator: ".", omittingEmptySubsequences: false)
    let hostParts = hostName.split(separator: ".", omittingEmptySubsequences: false)
    guard patternParts.count == hostParts.count else { return false }
    return zip(patternParts, hostParts).allSatisfy { fnmatch(String($0), String($1), 0) == 0 }
  }

  static func splitPort(_ host: String) -> (String, String?) {
    if host.hasPrefix("["), let close = host.firstIndex(of: "]") {  // [::1]:5000
      let rest = host[host.index(after: close)...]
      return (String(host[...close]), rest.hasPrefix(":") ? String(rest.dropFirst()) : nil)
    }
    guard let colon = host.lastIndex(of: ":") else { return (host, nil) }
    return (String(host[..<colon]), String(host[host.index(after: colon)...]))
  }
}
