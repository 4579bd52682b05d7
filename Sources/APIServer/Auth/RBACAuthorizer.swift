import KubeAPI

/// RBAC over the Role/ClusterRole/RoleBinding/ClusterRoleBinding objects in the watch caches.
/// system:masters may do anything, as upstream's authorizer chain lets it; kubelets' requests for
/// secrets and the like go through ``NodeAuthorizer`` first.
struct RBACAuthorizer: Sendable {
  func allows(_ attributes: RequestAttributes, state: APIState) async -> Bool {
    if attributes.user.groups.contains("system:masters") { return true }
    switch await NodeAuthorizer.decide(attributes, state: state) {
    case .allow: return true
    case .deny: return false
    case .noOpinion: break
    }
    return await rules(for: attributes.user, namespace: attributes.namespace, state: state).contains {
      RBACAuthorizer.rule($0, allows: attributes)
    }
  }

  /// Every rule that applies to `user` in `namespace` (cluster-wide ones included).
  func rules(for user: UserInfo, namespace: String, state: APIState) async -> [JSONValue] {
    let registry = state.registry
    let group = "rbac.authorization.k8s.io"
    guard let clusterRoles = registry.lookup(group: group, version: "v1", plural: "clusterroles"),
      let clusterBindings = registry.lookup(group: group, version: "v1", plural: "clusterrolebindings"),
      let roles = registry.lookup(group: group, version: "v1", plural: "roles"),
      let bindings = registry.lookup(group: group, version: "v1", plural: "rolebindings")
    else { return [] }
    let roleCache = state.cache(for: roles)
    let clusterRoleCache = state.cache(for: clusterRoles)
    let clusterBindingCache = state.cache(for: clusterBindings)
    let bindingCache = state.cache(for: bindings)
    let revision = state.log.currentRevision
    for cache in [roleCache, clusterRoleCache, clusterBindingCache, bindingCache] {
      await cache.waitUntilFresh(revision)
    }

    func roleRules(_ ref: JSONValue?, namespace: String) -> [JSONValue] {
      guard let ref, let name = ref["name"]?.stringValue else { return [] }
      let object: CachedObject?
      if ref["kind"]?.stringValue == "ClusterRole" {
        object = clusterRoleCache.object(key: clusterRoles.storageKey(namespace: nil, name: name))
      } else {
        object = roleCache.object(key: roles.storageKey(namespace: namespace, name: name))
      }
      return object?.object["rules"]?.arrayValue ?? []
    }
    var rules: [JSONValue] = []
    for binding in clusterBindingCache.snapshot(prefix: clusterBindings.storagePrefix).objects {
      let object = binding.object
      if RBACAuthorizer.subjects(object["subjects"], include: user, bindingNamespace: "") {
        rules += roleRules(object["roleRef"], namespace: "")
      }
    }
    if !namespace.isEmpty {
      for binding in bindingCache.snapshot(prefix: bindings.storagePrefix(namespace: namespace)).objects {
        let object = binding.object
        if RBACAuthorizer.subjects(object["subjects"], include: user, bindingNamespace: namespace) {
          rules += roleRules(object["roleRef"], namespace: namespace)
        }
      }
    }
    return rules
  }

  static func subjects(_ subjects: JSONValue?, include user: UserInfo, bindingNamespace: String) -> Bool {
    (subjects?.arrayValue ?? []).contains { subject in
      let name = subject["name"]?.stringValue ?? ""
      switch subject["kind"]?.stringValue {
      case "User": return name == user.name
      case "Group": return user.groups.contains(name)
      case "ServiceAccount":
        let namespace = subject["namespace"]?.stringValue ?? bindingNamespace
        return user.name == "system:serviceaccount:\(namespace):\(name)"
      default: return false
      }
    }
  }

  static func rule(_ rule: JSONValue, allows attributes: RequestAttributes) -> Bool {
    func list(_ key: String) -> [String] { (rule[key]?.arrayValue ?? []).compactMap(\.stringValue) }
    let verbs = list("verbs")
    guard verbs.contains("*") || verbs.contains(attributes.verb) else { return false }
    if let path = attributes.path {
      return list("nonResourceURLs").contains { pattern in
        pattern == "*" || pattern == path || (pattern.hasSuffix("*") && path.hasPrefix(String(pattern.dropLast())))
      }
    }
    let groups = list("apiGroups")
    guard groups.contains("*") || groups.contains(attributes.group) else { return false }
    let resource =
      attributes.subresource.isEmpty ? attributes.resource : "\(attributes.resource)/\(attributes.subresource)"
    let resources = list("resources")
    guard
      resources.contains("*") || resources.contains(resource)
        || (!attributes.subresource.isEmpty && resources.contains("*/\(attributes.subresource)"))
    else { return false }
    let names = list("resourceNames")
    return names.isEmpty || names.contains(attributes.name)
  }
}
