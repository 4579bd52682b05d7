/// Which objects a ResourceQuota tracks: every object of its namespace, or with `spec.scopes` /
/// `spec.scopeSelector` only the pods in those scopes (upstream's Terminating, NotTerminating,
/// BestEffort, NotBestEffort and PriorityClass). Shared by quota admission and the controller.
public enum QuotaScopes {
  /// Whether `quota` counts `object` (of `plural` in `group`).
  public static func tracks(_ quota: JSONValue, _ object: JSONValue, plural: String, group: String) -> Bool {
    let requirements = self.requirements(of: quota)
    if requirements.isEmpty { return true }
    guard plural == "pods", group.isEmpty else { return false }
    return requirements.allSatisfy { matches(object, $0) }
  }

  /// Whether the quota tracks only pods in some scopes.
  public static func isScoped(_ quota: JSONValue) -> Bool { !requirements(of: quota).isEmpty }

  /// `spec.scopes` as Exists requirements (as upstream reads them), then `spec.scopeSelector`.
  static func requirements(of quota: JSONValue) -> [(scope: String, op: String, values: [String])] {
    let scopes = (quota["spec"]?["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).map {
      (scope: $0, op: "Exists", values: [String]())
    }
    let selected = (quota["spec"]?["scopeSelector"]?["matchExpressions"]?.arrayValue ?? []).map {
      (
        scope: $0["scopeName"]?.stringValue ?? "", op: $0["operator"]?.stringValue ?? "",
        values: ($0["values"]?.arrayValue ?? []).compactMap(\.stringValue)
      )
    }
    return scopes + selected
  }

  static func matches(_ pod: JSONValue, _ requirement: (scope: String, op: String, values: [String])) -> Bool {
    let spec = pod["spec"] ?? .object([:])
    let terminating = spec["activeDeadlineSeconds"]?.intValue != nil
    let bestEffort = PodQoS.of(spec: spec) == "BestEffort"
    // The API allows only Exists for the four boolean scopes.
    switch requirement.scope {
    case "Terminating": return terminating
    case "NotTerminating": return !terminating
    case "BestEffort": return bestEffort
    case "NotBestEffort": return !bestEffort
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
