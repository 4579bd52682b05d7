import KubeAPI

/// Reading pod state the way controllers judge it.
enum PodStatus {
  static func phase(_ pod: JSONValue) -> String { pod["status"]?["phase"]?.stringValue ?? "Pending" }

  /// Not finished and not being deleted: counts towards a controller's replicas.
  static func isActive(_ pod: JSONValue) -> Bool {
    let phase = phase(pod)
    return phase != "Succeeded" && phase != "Failed" && !pod.metadata.isBeingDeleted
  }

  static func isTerminal(_ pod: JSONValue) -> Bool {
    let phase = phase(pod)
    return phase == "Succeeded" || phase == "Failed"
  }

  static func condition(_ object: JSONValue, _ type: String) -> JSONValue? {
    object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
  }

  static func isReady(_ pod: JSONValue) -> Bool {
    condition(pod, "Ready")?["status"]?.stringValue == "True"
  }

  /// Ready for at least `minReadySeconds` at `now`.
  static func isAvailable(_ pod: JSONValue, minReadySeconds: Int64, now: KubeTime) -> Bool {
    guard isReady(pod) else { return false }
    guard minReadySeconds > 0 else { return true }
    guard let text = condition(pod, "Ready")?["lastTransitionTime"]?.stringValue,
      let since = try? KubeTime(parsing: text)
    else { return false }
    return since.adding(seconds: minReadySeconds) <= now
  }
}

extension JSONValue {
  /// Sets (or replaces) the condition of `type` in `status.conditions`, keeping
  /// lastTransitionTime when the status did not change.
  mutating func setCondition(
    _ type: String, status: String, reason: String, message: String, now: KubeTime, probeTimes: Bool = false
  ) {
    var conditions = self["status"]?["conditions"]?.arrayValue ?? []
    let index = conditions.firstIndex { $0["type"]?.stringValue == type }
    var condition: JSONValue = [
      "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
      "lastTransitionTime": .string(now.rfc3339),
    ]
    if probeTimes { condition["lastUpdateTime"] = .string(now.rfc3339) }
    if let index {
      let old = conditions[index]
      if old["status"]?.stringValue == status, let since = old["lastTransitionTime"] {
        condition["lastTransitionTime"] = since
      }
      if old["status"] == condition["status"], old["reason"] == condition["reason"],
        old["message"] == condition["message"], probeTimes, let updated = old["lastUpdateTime"]
      {
        condition["lastUpdateTime"] = updated
      }
      conditions[index] = condition
    } else {
      conditions.append(condition)
    }
    if self["status"] == nil { self["status"] = .object([:]) }
    self["status"]?["conditions"] = .array(conditions)
  }
}

extension JSONValue {
  /// Drops the condition of `type`; an empty list goes away entirely.
  mutating func removeCondition(_ type: String) {
    guard let conditions = self["status"]?["conditions"]?.arrayValue else { return }
    let kept = conditions.filter { $0["type"]?.stringValue != type }
    self["status"]?["conditions"] = kept.isEmpty ? nil : .array(kept)
  }
}
