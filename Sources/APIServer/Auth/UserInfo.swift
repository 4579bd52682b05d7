/// Who made a request, as authentication established it.
struct UserInfo: Sendable, Equatable {
  var name: String
  var uid: String = ""
  var groups: [String]
  var extra: [String: [String]] = [:]

  static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
  var isAnonymous: Bool { name == "system:anonymous" }
}

/// What a request wants to do, in RBAC's terms.
struct RequestAttributes: Sendable {
  var user: UserInfo
  var verb: String
  var group: String = ""
  var resource: String = ""
  var subresource: String = ""
  var namespace: String = ""
  var name: String = ""
  /// Set for non-resource requests such as /healthz.
  var path: String? = nil

  /// upstream's denial text, e.g. `pods is forbidden: User "bob" cannot list resource "pods" in
  /// API group "" in the namespace "default"`.
  var deniedMessage: String {
    if let path { return "forbidden: User \"\(user.name)\" cannot \(verb) path \"\(path)\"" }
    let qualified = group.isEmpty ? resource : "\(resource).\(group)"
    let subject = name.isEmpty ? qualified : "\(qualified) \"\(name)\""
    let what = subresource.isEmpty ? "resource \"\(resource)\"" : "resource \"\(resource)/\(subresource)\""
    let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
    return "\(subject) is forbidden: User \"\(user.name)\" cannot \(verb) \(what) in API group \"\(group)\" \(scope)"
  }
}
