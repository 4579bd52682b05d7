import KubeAPI

/// A read-only view of a Job's spec with upstream's defaults applied, so the controller
/// reads each field in one place whatever the API server stored.
struct JobSpec {
  let job: JSONValue
  let spec: JSONValue

  init(_ job: JSONValue) {
    self.job = job
    self.spec = job["spec"] ?? .object([:])
  }

  var name: String { job.metadata.name ?? "" }
  var namespace: String { job.metadata.namespace ?? "" }
  var uid: String { job.metadata.uid ?? "" }
  var key: String { job.metadata.key }

  var parallelism: Int { Int(spec["parallelism"]?.intValue ?? 1) }
  /// nil: the Job is done once any pod succeeds and none is active.
  var completions: Int? { spec["completions"]?.intValue.map { Int($0) } }
  var backoffLimit: Int { Int(spec["backoffLimit"]?.intValue ?? 6) }
  var isIndexed: Bool { spec["completionMode"]?.stringValue == "Indexed" }
  var completionMode: String { spec["completionMode"]?.stringValue ?? "NonIndexed" }
  var isSuspended: Bool { spec["suspend"]?.boolValue ?? false }
  var activeDeadlineSeconds: Int64? { spec["activeDeadlineSeconds"]?.intValue }
  var podFailurePolicy: JSONValue? {
    guard let policy = spec["podFailurePolicy"], !policy.isNull else { return nil }
    return policy
  }
  var successPolicy: JSONValue? {
    guard let policy = spec["successPolicy"], !policy.isNull else { return nil }
    return policy
  }
  var backoffLimitPerIndex: Int? { spec["backoffLimitPerIndex"]?.intValue.map { Int($0) } }
  var maxFailedIndexes: Int? { spec["maxFailedIndexes"]?.intValue.map { Int($0) } }
  var restartPolicy: String { spec["template"]?["spec"]?["restartPolicy"]?.stringValue ?? "" }
  /// Another controller (named by `spec.managedBy`) owns the Job; this one leaves it alone.
  var isManagedExternally: Bool {
    guard let manager = spec["managedBy"]?.stringValue else { return false }
    return manager != JobController.managerName
  }

  /// With a pod failure policy, or `podReplacementPolicy: Failed`, a terminating pod is
  /// replaced only once it has failed.
  var onlyReplaceFailedPods: Bool {
    spec["podReplacementPolicy"]?.stringValue == "Failed" || podFailurePolicy != nil
  }

  var hasBackoffLimitPerIndex: Bool { isIndexed && backoffLimitPerIndex != nil }

  /// The pod selector; a malformed one selects nothing.
  var selector: LabelSelector {
    (try? LabelSelector(object: spec["selector"])) ?? .nothing
  }

  /// Completions as the bound of valid indexes (Indexed Jobs always have it).
  var indexLimit: Int { completions ?? 0 }

  func validIndex(_ index: Int?) -> Int? {
    guard let index, index < indexLimit else { return nil }
    return index
  }
}
