import KubeAPI

/// `spec.podFailurePolicy`: rules matched in order against a failed pod's container exit
/// codes or conditions, deciding whether the failure fails the Job, is ignored, counts
/// towards backoffLimit, or fails only its index.
struct JobPodFailurePolicy {
  enum Action: String {
    case failJob = "FailJob", ignore = "Ignore", count = "Count", failIndex = "FailIndex"
  }

  /// What a rule said about a failed pod.
  struct Match {
    /// Set when a FailJob rule matched: the Job's failure message.
    var failJobMessage: String?
    /// False when an Ignore rule matched: the failure does not count towards backoffLimit.
    var countsAsFailure: Bool
    var action: Action?
  }

  let rules: [JSONValue]

  init?(_ policy: JSONValue?) {
    guard let policy else { return nil }
    rules = policy["rules"]?.arrayValue ?? []
  }

  func match(_ pod: JSONValue) -> Match {
    let namespace = pod.metadata.namespace ?? ""
    let name = pod.metadata.name ?? ""
    for (index, rule) in rules.enumerated() {
      guard let action = Action(rawValue: rule["action"]?.stringValue ?? "") else { continue }
      if let requirement = rule["onExitCodes"], !requirement.isNull {
        guard let container = Self.matchExitCodes(pod, requirement) else { continue }
        let message =
          "Container \(container.name) for pod \(namespace)/\(name) failed with exit code \(container.exitCode) "
          + "matching \(action.rawValue) rule at index \(index)"
        return Self.result(action, message)
      } else if let patterns = rule["onPodConditions"]?.arrayValue {
        guard let type = Self.matchConditions(pod, patterns) else { continue }
        let message =
          "Pod \(namespace)/\(name) has condition \(type) matching \(action.rawValue) rule at index \(index)"
        return Self.result(action, message)
      }
    }
    return Match(failJobMessage: nil, countsAsFailure: true, action: nil)
  }

  private static func result(_ action: Action, _ message: String) -> Match {
    switch action {
    case .ignore: return Match(failJobMessage: nil, countsAsFailure: false, action: .ignore)
    case .count: return Match(failJobMessage: nil, countsAsFailure: true, action: .count)
    case .failIndex: return Match(failJobMessage: nil, countsAsFailure: true, action: .failIndex)
    case .failJob: return Match(failJobMessage: message, countsAsFailure: true, action: .failJob)
    }
  }

  /// The first terminated container (regular, then init) with a non-zero exit code the requirement matches.
  private static func matchExitCodes(_ pod: JSONValue, _ requirement: JSONValue) -> (name: String, exitCode: Int64)? {
    let wanted = requirement["containerName"]?.stringValue
    let op = requirement["operator"]?.stringValue ?? ""
    let values = requirement["values"]?.arrayValue?.compactMap(\.intValue) ?? []
    for list in ["containerStatuses", "initContainerStatuses"] {
      for status in pod["status"]?[list]?.arrayValue ?? [] {
        guard let terminated = status["state"]?["terminated"], !terminated.isNull else { continue }
        let name = status["name"]?.stringValue ?? ""
        if let wanted, wanted != name { continue }
        let code = terminated["exitCode"]?.intValue ?? 0
        guard code != 0 else { continue }
        let matched: Bool
        switch op {
        case "In": matched = values.contains(code)
        case "NotIn": matched = !values.contains(code)
        default: matched = false
        }
        if matched { return (name, code) }
      }
    }
    return nil
  }

  private static func matchConditions(_ pod: JSONValue, _ patterns: [JSONValue]) -> String? {
    for condition in pod["status"]?["conditions"]?.arrayValue ?? [] {
      for pattern in patterns
      where condition["type"] == pattern["type"]
        && condition["status"]?.stringValue == (pattern["status"]?.stringValue ?? "True")
      {
        return condition["type"]?.stringValue
      }
    }
    return nil
  }
}
