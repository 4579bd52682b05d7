import KubeAPI

/// How the Job controller reads its pods: the tracking finalizer, completion indexes,
/// failure and finish times.
enum JobPod {
  /// Kept on every pod until the controller has counted it, so a pod deleted early (by a
  /// user, pod GC or eviction) is still counted once.
  static let trackingFinalizer = "batch.kubernetes.io/job-tracking"
  static let completionIndexKey = "batch.kubernetes.io/job-completion-index"
  static let indexFailureCountKey = "batch.kubernetes.io/job-index-failure-count"
  static let indexIgnoredFailureCountKey = "batch.kubernetes.io/job-index-ignored-failure-count"
  static let completionIndexEnv = "JOB_COMPLETION_INDEX"

  static func uid(_ pod: JSONValue) -> String { pod.metadata.uid ?? "" }

  static func hasTrackingFinalizer(_ pod: JSONValue) -> Bool { pod.metadata.hasFinalizer(trackingFinalizer) }

  /// The completion index annotation; nil when missing, malformed or negative.
  static func completionIndex(_ pod: JSONValue) -> Int? {
    guard let text = pod.metadata.annotations?[completionIndexKey], let index = Int(text), index >= 0 else {
      return nil
    }
    return index
  }

  /// Upstream's isPodFailed: Failed, or (unless only failed pods are replaced) deleted before succeeding.
  static func isFailed(_ pod: JSONValue, _ job: JobSpec) -> Bool {
    let phase = PodStatus.phase(pod)
    if phase == "Failed" { return true }
    if job.onlyReplaceFailedPods { return false }
    return pod.metadata.isBeingDeleted && phase != "Succeeded"
  }

  static func isSucceeded(_ pod: JSONValue) -> Bool { PodStatus.phase(pod) == "Succeeded" }

  /// Being deleted but not yet finished.
  static func isTerminating(_ pod: JSONValue) -> Bool {
    pod.metadata.isBeingDeleted && !PodStatus.isTerminal(pod)
  }

  static func annotationCount(_ pod: JSONValue, _ key: String) -> Int {
    guard let text = pod.metadata.annotations?[key], let value = Int(text), value >= 0, value <= Int(Int32.max) else {
      return 0
    }
    return value
  }

  static func indexFailureCount(_ pod: JSONValue) -> Int { annotationCount(pod, indexFailureCountKey) }

  static func indexAbsoluteFailureCount(_ pod: JSONValue) -> Int {
    annotationCount(pod, indexFailureCountKey) + annotationCount(pod, indexIgnoredFailureCountKey)
  }

  /// When the pod finished, in milliseconds: the last container exit, else the Ready=False
  /// transition, else the deletion time minus its grace, else its creation.
  static func finishedTime(_ pod: JSONValue) -> Int64 {
    let statuses = pod["status"]?["containerStatuses"]?.arrayValue ?? []
    var latest: Int64?
    for status in statuses {
      guard let text = status["state"]?["terminated"]?["finishedAt"]?.stringValue,
        let time = try? KubeTime(parsing: text)
      else {
        latest = nil
        break
      }
      latest = max(latest ?? time.milliseconds, time.milliseconds)
    }
    if let latest { return latest }
    if let ready = PodStatus.condition(pod, "Ready"), ready["status"]?.stringValue == "False",
      let text = ready["lastTransitionTime"]?.stringValue, let time = try? KubeTime(parsing: text)
    {
      return time.milliseconds
    }
    if let deletion = pod.metadata.deletionTime {
      return deletion.milliseconds - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000
    }
    return pod.metadata.creationTime?.milliseconds ?? 0
  }

  /// Container restarts of running or pending pods (restartPolicy OnFailure counts them as failures).
  static func restartCount(_ pod: JSONValue) -> Int {
    let phase = PodStatus.phase(pod)
    guard phase == "Running" || phase == "Pending" else { return 0 }
    let statuses =
      (pod["status"]?["initContainerStatuses"]?.arrayValue ?? [])
      + (pod["status"]?["containerStatuses"]?.arrayValue ?? [])
    return statuses.reduce(0) { $0 + Int($1["restartCount"]?.intValue ?? 0) }
  }

  /// Upstream's ActivePods order: the pod to delete first comes first (unscheduled before
  /// scheduled, pending before running, not ready before ready, more restarts, newer).
  static func deletionOrder(_ a: JSONValue, _ b: JSONValue) -> Bool {
    let nodeA = a["spec"]?["nodeName"]?.stringValue ?? ""
    let nodeB = b["spec"]?["nodeName"]?.stringValue ?? ""
    if nodeA.isEmpty != nodeB.isEmpty { return nodeA.isEmpty }
    let rank = ["Pending": 0, "Unknown": 1, "Running": 2]
    let phaseA = rank[PodStatus.phase(a)] ?? 0
    let phaseB = rank[PodStatus.phase(b)] ?? 0
    if phaseA != phaseB { return phaseA < phaseB }
    let readyA = PodStatus.isReady(a)
    if readyA != PodStatus.isReady(b) { return !readyA }
    let restartsA = restartCountAll(a)
    let restartsB = restartCountAll(b)
    if restartsA != restartsB { return restartsA > restartsB }
    let createdA = a.metadata.creationTime?.milliseconds ?? 0
    let createdB = b.metadata.creationTime?.milliseconds ?? 0
    return createdA > createdB
  }

  private static func restartCountAll(_ pod: JSONValue) -> Int {
    (pod["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(0) { $0 + Int($1["restartCount"]?.intValue ?? 0) }
  }
}
