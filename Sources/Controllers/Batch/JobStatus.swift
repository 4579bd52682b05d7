import KubeAPI

/// The part of a Job's status the controller owns, read from the object and written back
/// with upstream's omitempty rules so `kubectl get -o yaml` looks the same.
struct JobStatus: Equatable {
  var active = 0
  var ready = 0
  var terminating = 0
  var succeeded = 0
  var failed = 0
  var startTime: String?
  var completionTime: String?
  var completedIndexes = ""
  var failedIndexes: String?
  var uncountedSucceeded: [String] = []
  var uncountedFailed: [String] = []
  var conditions: [JSONValue] = []

  init(_ status: JSONValue?) {
    let status = status ?? .object([:])
    active = Int(status["active"]?.intValue ?? 0)
    ready = Int(status["ready"]?.intValue ?? 0)
    terminating = Int(status["terminating"]?.intValue ?? 0)
    succeeded = Int(status["succeeded"]?.intValue ?? 0)
    failed = Int(status["failed"]?.intValue ?? 0)
    startTime = status["startTime"]?.stringValue
    completionTime = status["completionTime"]?.stringValue
    completedIndexes = status["completedIndexes"]?.stringValue ?? ""
    failedIndexes = status["failedIndexes"]?.stringValue
    uncountedSucceeded = status["uncountedTerminatedPods"]?["succeeded"]?.arrayValue?.compactMap(\.stringValue) ?? []
    uncountedFailed = status["uncountedTerminatedPods"]?["failed"]?.arrayValue?.compactMap(\.stringValue) ?? []
    conditions = status["conditions"]?.arrayValue ?? []
  }

  /// Writes these fields into `job.status`, keeping any field this type does not model.
  func write(into job: inout JSONValue) {
    var status = job["status"]?.objectValue ?? [:]
    func setCount(_ key: String, _ value: Int) { status[key] = value == 0 ? nil : .int(Int64(value)) }
    setCount("active", active)
    setCount("succeeded", succeeded)
    setCount("failed", failed)
    status["ready"] = .int(Int64(ready))
    status["terminating"] = .int(Int64(terminating))
    status["startTime"] = startTime.map { .string($0) }
    status["completionTime"] = completionTime.map { .string($0) }
    status["completedIndexes"] = completedIndexes.isEmpty ? nil : .string(completedIndexes)
    status["failedIndexes"] = failedIndexes.map { .string($0) }
    var uncounted: [String: JSONValue] = [:]
    if !uncountedSucceeded.isEmpty { uncounted["succeeded"] = .array(uncountedSucceeded.map { .string($0) }) }
    if !uncountedFailed.isEmpty { uncounted["failed"] = .array(uncountedFailed.map { .string($0) }) }
    status["uncountedTerminatedPods"] = .object(uncounted)
    status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
    job["status"] = .object(status)
  }

  func condition(_ type: String) -> JSONValue? { conditions.first { $0["type"]?.stringValue == type } }

  func hasTrueCondition(_ type: String) -> Bool { condition(type)?["status"]?.stringValue == "True" }

  /// Sets a condition's status, reason and message (upstream's ensureJobConditionStatus): a
  /// False condition is never added where none exists. Answers whether anything changed.
  @discardableResult
  mutating func ensureCondition(_ condition: JobCondition, status: String = "True", now: KubeTime) -> Bool {
    let fresh = condition.json(status: status, now: now)
    if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == condition.type }) {
      let old = conditions[index]
      guard
        old["status"]?.stringValue != status || old["reason"]?.stringValue != condition.reason
          || old["message"]?.stringValue != condition.message
      else { return false }
      conditions[index] = fresh
      return true
    }
    guard status != "False" else { return false }
    conditions.append(fresh)
    return true
  }

  /// Upstream's IsJobFinished: a Complete or Failed condition that is True.
  static func isFinished(_ job: JSONValue) -> Bool { finishedType(job) != nil }

  static func finishedType(_ job: JSONValue) -> String? {
    for condition in job["status"]?["conditions"]?.arrayValue ?? [] {
      let type = condition["type"]?.stringValue ?? ""
      if type == "Complete" || type == "Failed", condition["status"]?.stringValue == "True" { return type }
    }
    return nil
  }
}

/// A Job condition the controller is about to set.
struct JobCondition: Equatable {
  var type: String
  var reason: String
  var message: String

  static let complete = "Complete"
  static let failed = "Failed"
  static let failureTarget = "FailureTarget"
  static let successCriteriaMet = "SuccessCriteriaMet"
  static let suspended = "Suspended"

  static func failureTarget(_ reason: String, _ message: String) -> JobCondition {
    JobCondition(type: failureTarget, reason: reason, message: message)
  }

  static let completionsReached = JobCondition(
    type: successCriteriaMet, reason: "CompletionsReached", message: "Reached expected number of succeeded pods")

  /// The terminal condition that follows an interim one (FailureTarget → Failed, SuccessCriteriaMet → Complete).
  var terminal: JobCondition {
    switch type {
    case Self.failureTarget: return JobCondition(type: Self.failed, reason: reason, message: message)
    case Self.successCriteriaMet: return JobCondition(type: Self.complete, reason: reason, message: message)
    default: return self
    }
  }

  init(type: String, reason: String, message: String) {
    self.type = type
    self.reason = reason
    self.message = message
  }

  init(_ json: JSONValue) {
    self.init(
      type: json["type"]?.stringValue ?? "", reason: json["reason"]?.stringValue ?? "",
      message: json["message"]?.stringValue ?? "")
  }

  func json(status: String = "True", now: KubeTime) -> JSONValue {
    [
      "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
      "lastProbeTime": .string(now.rfc3339), "lastTransitionTime": .string(now.rfc3339),
    ]
  }
}
