import KubeAPI

/// One served resource (built-in or custom): its names, scope, verbs, subresources and the
/// strategy that defaults, validates and prints it. One generic REST path serves them all.
struct ResourceDefinition: Sendable {
  var group: String
  var version: String
  var kind: String
  var plural: String
  var singular: String
  var namespaced: Bool
  var shortNames: [String] = []
  var categories: [String] = []
  var verbs: [String] = ResourceDefinition.allVerbs
  var subresources: Set<Subresource> = []
  var strategy = ResourceStrategy()
  /// Set when another version is the one stored (CRDs with several versions, autoscaling/v1).
  var storageVersion: String? = nil
  /// Converts between this version's form and the stored one (autoscaling/v1 ↔ v2); nil when
  /// only apiVersion differs.
  var conversion: VersionConversion? = nil
  /// A custom resource's structural schema (`openAPIV3Schema`).
  var schema: JSONValue? = nil

  enum Subresource: String, Sendable, Hashable {
    case status, scale, binding, eviction, token, log, exec, attach, portforward, proxy, finalize, approval
  }

  static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
  static let readOnlyVerbs = ["get", "list", "watch"]

  var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  /// `deployments.apps`, `pods`: how upstream names a resource in messages.
  var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }
  var listKind: String { "\(kind)List" }

  /// The storage prefix: `/registry/pods/`, `/registry/apps/deployments/`.
  var storagePrefix: String { group.isEmpty ? "/registry/\(plural)/" : "/registry/\(group)/\(plural)/" }

  func storageKey(namespace: String?, name: String) -> String {
    if namespaced, let namespace { return "\(storagePrefix)\(namespace)/\(name)" }
    return storagePrefix + name
  }

  func storagePrefix(namespace: String?) -> String {
    if namespaced, let namespace, !namespace.isEmpty { return "\(storagePrefix)\(namespace)/" }
    return storagePrefix
  }
}
