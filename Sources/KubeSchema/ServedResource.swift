/// One resource the API server serves, as the OpenAPI documents describe it (built-in or custom).
public struct ServedResource: Sendable, Hashable {
  public var group: String
  public var version: String
  public var kind: String
  /// The URL segment, e.g. `deployments`.
  public var plural: String
  public var namespaced: Bool
  /// Kubernetes verbs: get, list, watch, create, update, patch, delete, deletecollection.
  public var verbs: [String]
  /// Subresource names such as `status`, `scale`, `eviction`, `binding`, `token`, `ephemeralcontainers`.
  public var subresources: [String]

  public init(
    group: String, version: String, kind: String, plural: String, namespaced: Bool,
    verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    subresources: [String] = []
  ) {
    self.group = group
    self.version = version
    self.kind = kind
    self.plural = plural
    self.namespaced = namespaced
    self.verbs = verbs
    self.subresources = subresources
  }

  public var gvk: GVK { GVK(group: group, version: version, kind: kind) }

  /// `api/v1` or `apis/apps/v1`, the key of the group-version in `/openapi/v3`.
  public var groupVersionPath: String { Self.groupVersionPath(group: group, version: version) }

  public static func groupVersionPath(group: String, version: String) -> String {
    group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
  }
}
