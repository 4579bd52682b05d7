import KubeAPI

/// Upstream's NodeRestriction admission for what ``NodeAuthorizer`` cannot see (the object's body): a kubelet
/// (`system:node:<name>`) may create only its own Node and Lease, only mirror pods bound to itself, and delete only
/// pods bound to itself. Returns the refusal message, or nil.
enum NodeRestriction {
  static let mirrorAnnotation = "kubernetes.io/config.mirror"

  static func nodeName(_ user: UserInfo) -> String? {
    let prefix = "system:node:"
    guard user.groups.contains("system:nodes"), user.name.hasPrefix(prefix) else { return nil }
    return String(user.name.dropFirst(prefix.count))
  }

  static func admit(
    user: UserInfo, definition: ResourceDefinition, subresource: String?, object: JSONValue, old: JSONValue?
  ) -> String? {
    guard let node = nodeName(user), subresource == nil else { return nil }
    let name = object["metadata"]?["name"]?.stringValue ?? ""
    let who = "node \"\(node)\""
    switch (definition.group, definition.plural) {
    case ("", "nodes") where name != node:
      return "\(who) is not allowed to modify node \"\(name)\""
    case ("coordination.k8s.io", "leases")
    where object["metadata"]?["namespace"]?.stringValue == "kube-node-lease" && name != node:
      return "\(who) is not allowed to modify lease \"\(name)\" in kube-node-lease"
    case ("", "pods") where old == nil:
      guard object["metadata"]?["annotations"]?[mirrorAnnotation] != nil else {
        return "pod does not have \"\(mirrorAnnotation)\" annotation, \(who) can only create mirror pods"
      }
      guard object["spec"]?["nodeName"]?.stringValue == node else {
        return "\(who) can only create pods with spec.nodeName set to itself"
      }
      return nil
    default:
      return nil
    }
  }

  static func admitDelete(user: UserInfo, definition: ResourceDefinition, object: JSONValue) -> String? {
    guard let node = nodeName(user), definition.group.isEmpty, definition.plural == "pods" else { return nil }
    guard object["spec"]?["nodeName"]?.stringValue == node else {
      return "node \"\(node)\" can only delete pods with spec.nodeName set to itself"
    }
    return nil
  }
}
