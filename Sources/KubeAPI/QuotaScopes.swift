/// Which objects a ResourceQuota tracks: every object of its namespace, or with `spec.scopes` /
/// `spec.scopeSelector` only the pods in those scopes (upstream's Terminating, NotTerminating,
/// BestEffort, NotBestEffort and PriorityClass). Read once per quota, then asked per object;
/// shared by quota admission and the controller.
public struct QuotaScopes: Sendable {
  struct Requirement: Sendable {
    var scope: String
    var op: String
    var values: [String]
  }

  /// `spec.scopes` as Exists requirements (as upstream reads them), then `spec.scopeSelector`.
  let requirements: [Requirement]

  public init(quota: JSONValue) {
    let scopes = (quota["spec"]?["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).map {
      Requirement(scope: $0, op: "Exists", values: [])
    }
    let selected = (quota["spec"]?["scopeSelector"]?["matchExpressions"]?.arrayValue ?? []).map {
      Requirement(
        scope: $0["scopeName"]?.stringValue ?? "", op: $0["operator"]?.stringValue ?? "",
        values: ($0["values"]?.arrayValue ?? []).compactMap(\.stringValue))
    }
    requirements = scopes + selected
  }

  /// Whether the quota tracks only pods in some scopes.
  public var isScoped: Bool { !requirements.isEmpty }

  /// Whether the quota counts `object` (of `plural` in `group`).
  public func tracks(_ object: JSONValue, plural: String, group: String) -> Bool {
    if requirements.isEmpty { return true }
    guard plural == "pods", group.isEmpty else { return false }
    let spec = object["spec"] ?? .object([:])
    return requirements.allSatisfy { Self.matches(spec, $0) }
  }

  static func matches(_ spec: JSONValue, _ requirement: Requirement) -> Bool {
    // The API allows only Exists for the four boolean scopes.
    switch requirement.scope {
    case "Terminating": return spec["activeDeadlineSeconds"]?.intValue != nil
    case "NotTerminating": return spec["activeDeadlineSeconds"]?.intValue == nil
    case "BestEffort": return PodQoS.of(spec: spec) == "BestEffort"
    case "NotBestEffort": return PodQoS.of(spec: spec) != "BestEffort"
    case "PriorityClass":
      let priorityClass = spec["priorityClassName"]?.stringValue ?? ""
      switch requirement.op {
      case "In": return requirement.values.contains(priorityClass)
      case "NotIn": return !requirement.values.contains(priorityClass)
      case "DoesNotExist": return priorityClass.isEmpty
      default: return !priorityClass.isEmpty
      }
    default: return false
    }
  }
}
