import KubeAPI
import NIOHTTP1

extension ResourceHandler {
  /// The review kinds are questions, not objects: answered at once, never stored.
  static let reviewKinds: Set<String> = [
    "SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectRulesReview",
    "SelfSubjectReview", "TokenReview",
  ]

  func review() async throws(APIError) -> HTTPResponse {
    var review = try bodyObject()
    try checkTypeMeta(&review)
    let spec = review["spec"] ?? .object([:])
    var status: [String: JSONValue] = [:]
    switch definition.kind {
    case "SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview":
      var subject = user
      if definition.kind != "SelfSubjectAccessReview" {
        subject = UserInfo(
          name: spec["user"]?.stringValue ?? "", uid: spec["uid"]?.stringValue ?? "",
          groups: (spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue))
        if subject.name.isEmpty && subject.groups.isEmpty {
          throw APIError.invalid(
            definition, name: "",
            errors: [.invalid("spec.user", .string(""), "at least one of user or group must be specified")])
        }
      }
      var attributes = RequestAttributes(user: subject, verb: "")
      if let resource = spec["resourceAttributes"] {
        attributes.verb = resource["verb"]?.stringValue ?? ""
        attributes.group = resource["group"]?.stringValue ?? ""
        attributes.resource = resource["resource"]?.stringValue ?? ""
        attributes.subresource = resource["subresource"]?.stringValue ?? ""
        attributes.namespace = resource["namespace"]?.stringValue ?? target.namespace ?? ""
        attributes.name = resource["name"]?.stringValue ?? ""
      } else if let nonResource = spec["nonResourceAttributes"] {
        attributes.verb = nonResource["verb"]?.stringValue ?? ""
        attributes.path = nonResource["path"]?.stringValue ?? ""
      } else {
        throw APIError.invalid(
          definition, name: "",
          errors: [
            .invalid(
              "spec.resourceAttributes", .null,
              "exactly one of nonResourceAttributes or resourceAttributes must be specified")
          ])
      }
      let allowed = await state.authorizer.allows(attributes, state: state)
      status["allowed"] = .bool(allowed)
      if allowed {
        status["reason"] = .string(
          attributes.user.groups.contains("system:masters")
            ? "" : "RBAC: allowed by a binding of \(attributes.user.name)")
      }
    case "SelfSubjectRulesReview":
      let namespace = spec["namespace"]?.stringValue ?? ""
      let rules = await state.authorizer.rules(for: user, namespace: namespace, state: state)
      var resourceRules: [JSONValue] = []
      var nonResourceRules: [JSONValue] = []
      if user.groups.contains("system:masters") {
        resourceRules.append(BootstrapPolicy.rule(["*"], ["*"], ["*"]))
        nonResourceRules.append(BootstrapPolicy.urls(["*"], ["*"]))
      }
      for rule in rules {
        if rule["nonResourceURLs"] != nil {
          nonResourceRules.append(
            .object(["verbs": rule["verbs"] ?? .array([]), "nonResourceURLs": rule["nonResourceURLs"]!]))
        } else {
          resourceRules.append(rule)
        }
      }
      status = [
        "resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules),
        "incomplete": .bool(false),
      ]
    case "SelfSubjectReview":
      status["userInfo"] = userInfoJSON(user)
    case "TokenReview":
      let token = spec["token"]?.stringValue ?? ""
      let authenticator = Authenticator(tokens: state.tokens, state: state)
      if let reviewed = await authenticator.user(fromToken: token) {
        status = ["authenticated": .bool(true), "user": userInfoJSON(reviewed)]
        if let audiences = spec["audiences"] { status["audiences"] = audiences }
      } else {
        status = ["authenticated": .bool(false), "error": .string("invalid bearer token")]
      }
    default:
      throw APIError.methodNotAllowed("create", definition)
    }
    review["status"] = .object(status)
    var metadata = review["metadata"] ?? .object([:])
    metadata["creationTimestamp"] = .null
    review["metadata"] = metadata
    return respond(.created, review.encoded())
  }

  private func userInfoJSON(_ user: UserInfo) -> JSONValue {
    var info: [String: JSONValue] = [
      "username": .string(user.name), "groups": .array(user.groups.map(JSONValue.string)),
    ]
    if !user.uid.isEmpty { info["uid"] = .string(user.uid) }
    if !user.extra.isEmpty { info["extra"] = .object(user.extra.mapValues { .array($0.map(JSONValue.string)) }) }
    return .object(info)
  }
}
