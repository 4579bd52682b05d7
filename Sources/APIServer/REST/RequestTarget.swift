/// Where an API path points: `/api/v1/namespaces/ns/pods/name/status` and friends.
struct RequestTarget: Sendable, Equatable {
  var group: String
  var version: String
  var namespace: String?
  var plural: String
  var name: String?
  var subresource: String?
  /// The legacy `/watch/` path form.
  var legacyWatch = false

  /// Parses resource paths; nil for discovery and other non-resource paths.
  init?(path: String) {
    var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)[...]
    guard let root = parts.popFirst() else { return nil }
    switch root {
    case "api":
      guard let version = parts.popFirst() else { return nil }
      group = ""
      self.version = version
    case "apis":
      guard let group = parts.popFirst(), let version = parts.popFirst() else { return nil }
      self.group = group
      self.version = version
    default: return nil
    }
    if parts.first == "watch" {
      legacyWatch = true
      parts = parts.dropFirst()
    }
    // `/namespaces/x/pods/…` is inside a namespace; `/namespaces/x/status` is the namespace's own.
    if parts.first == "namespaces", parts.count >= 3, !["status", "finalize"].contains(parts[parts.startIndex + 2]) {
      namespace = parts[parts.startIndex + 1]
      parts = parts.dropFirst(2)
    }
    guard let plural = parts.popFirst() else { return nil }
    self.plural = plural
    name = parts.popFirst()
    subresource = parts.popFirst()
    if !parts.isEmpty {
      // Subresource paths such as pods/x/proxy/some/path keep the rest for the proxy.
      subresource = ([subresource ?? ""] + parts).joined(separator: "/")
    }
  }
}
