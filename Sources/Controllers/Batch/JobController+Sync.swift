import KubeAPI
import KubeClient

/// Everything one sync of a Job computes before it writes status.
struct JobSyncState {
  var job: JSONValue
  let spec: JobSpec
  var status: JobStatus
  let pods: [JSONValue]
  let activePods: [JSONValue]
  /// The condition the Job is heading to (interim FailureTarget/SuccessCriteriaMet, or terminal).
  var finished: JobCondition?
  var succeeded = 0
  var failed = 0
  var previousSucceededIndexes = IndexIntervals()
  var succeededIndexes = IndexIntervals()
  var failedIndexes: IndexIntervals?
  var newBackoff = JobBackoffStore.Record()
  let expectedRemovedFinalizers: Set<String>
  let uncountedSucceeded: Set<String>
  let uncountedFailed: Set<String>
  /// Backoff-limit-per-index: the failed pod of each index kept until its replacement exists.
  var delayedDeletionPerIndex: [Int: JSONValue] = [:]
  var terminating = 0
  var ready = 0

  /// Pods not counted yet (finalizer present, not already in uncounted, valid index) passing `filter`.
  func uncountedPods(excluding uncounted: Set<String>, _ filter: (JSONValue) -> Bool) -> [JSONValue] {
    pods.filter { pod in
      let uid = JobPod.uid(pod)
      guard JobPod.hasTrackingFinalizer(pod), !uncounted.contains(uid), !expectedRemovedFinalizers.contains(uid)
      else { return false }
      if spec.isIndexed && spec.validIndex(JobPod.completionIndex(pod)) == nil { return false }
      return filter(pod)
    }
  }
}

extension JobController {
  /// One reconcile of a Job (upstream's syncJob).
  func sync(key: String) async throws {
    guard let cached = jobCache.get(key) else {
      expectations.forget(key)
      finalizerExpectations.forget(key)
      backoff.remove(key)
      return
    }
    let spec = JobSpec(cached)
    if spec.isManagedExternally { return }
    if JobStatus.isFinished(cached) {
      backoff.remove(key)
      return
    }
    guard ["NonIndexed", "Indexed"].contains(spec.completionMode) else {
      context.recorder.record(
        cached, .warning, reason: "UnknownCompletionMode",
        message: "Skipped Job sync because completion mode is unknown")
      return
    }
    let satisfied = expectations.satisfied(key)
    let pods = try await podsForJob(cached, spec)
    let active = pods.filter(PodStatus.isActive)
    let status = JobStatus(cached["status"])
    var state = JobSyncState(
      job: cached, spec: spec, status: status, pods: pods, activePods: active,
      expectedRemovedFinalizers: finalizerExpectations.expected(key),
      uncountedSucceeded: Set(status.uncountedSucceeded), uncountedFailed: Set(status.uncountedFailed))
    state.ready = active.filter(PodStatus.isReady).count
    state.terminating = pods.filter(JobPod.isTerminating).count
    let newSucceeded = state.uncountedPods(excluding: state.uncountedSucceeded, JobPod.isSucceeded)
    let newFailed = state.uncountedPods(excluding: state.uncountedFailed) { JobPod.isFailed($0, spec) }
    state.succeeded = status.succeeded + newSucceeded.count + state.uncountedSucceeded.count
    state.failed = status.failed + countedFailures(newFailed, spec) + state.uncountedFailed.count
    if state.status.startTime == nil && !spec.isSuspended { state.status.startTime = now.rfc3339 }
    state.newBackoff = backoff.newRecord(key, succeeded: newSucceeded, failed: newFailed)

    decideFinish(&state, key: key)
    var activeCount = active.count
    var manageError: (any Error)?
    var suspendChanged = false
    if state.finished != nil {
      let (deletedReady, deleted, error) = await deleteActivePods(state.job, active)
      if deleted != activeCount || !satisfied { state.finished = nil }
      activeCount -= deleted
      state.terminating += deleted
      state.ready -= deletedReady
      manageError = error
    } else {
      var managed = false
      if satisfied && !cached.metadata.isBeingDeleted {
        (activeCount, manageError) = await manageJob(&state, key: key)
        managed = true
      }
      let complete =
        spec.completions.map { state.succeeded >= $0 && activeCount == 0 } ?? (state.succeeded > 0 && activeCount == 0)
      if complete {
        state.finished = .completionsReached
      } else if managed {
        suspendChanged = updateSuspendCondition(&state)
      }
    }
    let needsUpdate =
      suspendChanged || activeCount != state.status.active || state.ready != state.status.ready
      || state.terminating != state.status.terminating
    state.status.active = activeCount
    state.status.ready = state.ready
    state.status.terminating = state.terminating
    try await trackStatusAndRemoveFinalizers(&state, key: key, needsFlush: needsUpdate)
    if let manageError { throw manageError }
  }

  /// Failed pods minus those a pod failure policy says to ignore.
  func countedFailures(_ failed: [JSONValue], _ spec: JobSpec) -> Int {
    guard let policy = JobPodFailurePolicy(spec.podFailurePolicy) else { return failed.count }
    return failed.filter { policy.match($0).countsAsFailure }.count
  }

  /// Decides whether the Job has failed or met its success criteria (before pods are managed).
  private func decideFinish(_ state: inout JobSyncState, key: String) {
    let spec = state.spec
    if state.status.hasTrueCondition(JobCondition.successCriteriaMet) {
      state.finished = state.status.condition(JobCondition.successCriteriaMet).map { JobCondition($0) }
    }
    if state.finished == nil {
      if let target = state.status.condition(JobCondition.failureTarget), target["status"]?.stringValue == "True" {
        state.finished = JobCondition(target).terminal
      } else if let message = failJobMessage(state) {
        state.finished = .failureTarget("PodFailurePolicy", message)
      }
    }
    if state.finished == nil {
      if state.failed > spec.backoffLimit || pastBackoffLimitOnFailure(state) {
        state.finished = .failureTarget("BackoffLimitExceeded", "Job has reached the specified backoff limit")
      } else if let deadline = spec.activeDeadlineSeconds, !spec.isSuspended,
        let started = state.status.startTime.flatMap({ try? KubeTime(parsing: $0) })
      {
        let left = started.milliseconds + deadline * 1000 - context.clock.nowMilliseconds()
        if left <= 0 {
          state.finished = .failureTarget("DeadlineExceeded", "Job was active longer than specified deadline")
        } else {
          queue.add(key, after: .milliseconds(left))
        }
      }
    }
    guard spec.isIndexed else { return }
    let completions = spec.indexLimit
    state.previousSucceededIndexes = IndexIntervals(parsing: state.status.completedIndexes, completions: completions)
    let newIndexes = Set(
      state.pods.compactMap { pod -> Int? in
        guard JobPod.isSucceeded(pod), JobPod.hasTrackingFinalizer(pod) else { return nil }
        return spec.validIndex(JobPod.completionIndex(pod))
      })
    state.succeededIndexes = state.previousSucceededIndexes.adding(newIndexes.sorted())
    state.succeeded = state.succeededIndexes.total
    if spec.hasBackoffLimitPerIndex {
      let failed = failedIndexes(state)
      state.failedIndexes = failed
      if state.finished == nil {
        if let max = spec.maxFailedIndexes, failed.total > max {
          state.finished = .failureTarget(
            "MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes")
        } else if failed.total > 0 && failed.total + state.succeededIndexes.total >= completions {
          state.finished = .failureTarget("FailedIndexes", "Job has failed indexes")
        }
      }
      state.delayedDeletionPerIndex = podsWithDelayedDeletion(state)
    }
    if state.finished == nil, let message = matchSuccessPolicy(spec, state.succeededIndexes) {
      state.finished = JobCondition(type: JobCondition.successCriteriaMet, reason: "SuccessPolicy", message: message)
    }
  }

  /// The message of the first failed pod that matches a FailJob rule.
  private func failJobMessage(_ state: JobSyncState) -> String? {
    guard let policy = JobPodFailurePolicy(state.spec.podFailurePolicy) else { return nil }
    for pod in state.pods where JobPod.isFailed(pod, state.spec) {
      if let message = policy.match(pod).failJobMessage { return message }
    }
    return nil
  }

  /// restartPolicy OnFailure: container restarts of live pods count against backoffLimit.
  private func pastBackoffLimitOnFailure(_ state: JobSyncState) -> Bool {
    guard state.spec.restartPolicy == "OnFailure" else { return false }
    let restarts = state.pods.reduce(0) { $0 + JobPod.restartCount($1) }
    return state.spec.backoffLimit == 0 ? restarts > 0 : restarts >= state.spec.backoffLimit
  }

  /// Sets Suspended True/False as the spec says; resuming restarts the deadline clock.
  private func updateSuspendCondition(_ state: inout JobSyncState) -> Bool {
    if state.spec.isSuspended {
      let changed = state.status.ensureCondition(
        JobCondition(type: JobCondition.suspended, reason: "JobSuspended", message: "Job suspended"), now: now)
      if changed { context.recorder.record(state.job, reason: "Suspended", message: "Job suspended") }
      return changed
    }
    let changed = state.status.ensureCondition(
      JobCondition(type: JobCondition.suspended, reason: "JobResumed", message: "Job resumed"), status: "False",
      now: now)
    if changed {
      context.recorder.record(state.job, reason: "Resumed", message: "Job resumed")
      state.status.startTime = now.rfc3339
    }
    return changed
  }

  /// Indexes that used up their backoffLimitPerIndex, or hit a FailIndex rule.
  private func failedIndexes(_ state: JobSyncState) -> IndexIntervals {
    let spec = state.spec
    let previous = IndexIntervals(parsing: state.status.failedIndexes ?? "", completions: spec.indexLimit)
    let policy = JobPodFailurePolicy(spec.podFailurePolicy)
    let limit = spec.backoffLimitPerIndex ?? 0
    var failed = Set<Int>()
    for pod in state.pods where JobPod.hasTrackingFinalizer(pod) && JobPod.isFailed(pod, spec) {
      guard let index = spec.validIndex(JobPod.completionIndex(pod)) else { continue }
      var counted = true
      if let policy {
        let match = policy.match(pod)
        if match.action == .failIndex {
          failed.insert(index)
          continue
        }
        counted = match.countsAsFailure
      }
      if counted && JobPod.indexFailureCount(pod) >= limit { failed.insert(index) }
    }
    return previous.adding(failed.sorted())
  }

  /// Per index, the failed pod whose deletion waits until a replacement carries its failure count.
  private func podsWithDelayedDeletion(_ state: JobSyncState) -> [Int: JSONValue] {
    let activeIndexes = Set(state.activePods.compactMap(JobPod.completionIndex))
    var result: [Int: JSONValue] = [:]
    for pod in state.uncountedPods(excluding: [], { JobPod.isFailed($0, state.spec) }) {
      guard let index = JobPod.completionIndex(pod), !state.succeededIndexes.contains(index),
        state.failedIndexes?.contains(index) != true, !activeIndexes.contains(index)
      else { continue }
      if let kept = result[index] {
        if JobPod.indexAbsoluteFailureCount(kept) <= JobPod.indexAbsoluteFailureCount(pod)
          && JobPod.finishedTime(pod) >= JobPod.finishedTime(kept)
        {
          result[index] = pod
        }
      } else {
        result[index] = pod
      }
    }
    return result
  }

  /// `spec.successPolicy`: the first rule whose succeededIndexes/succeededCount is met.
  private func matchSuccessPolicy(_ spec: JobSpec, _ succeeded: IndexIntervals) -> String? {
    guard let rules = spec.successPolicy?["rules"]?.arrayValue else { return nil }
    for (index, rule) in rules.enumerated() {
      let count = rule["succeededCount"]?.intValue.map { Int($0) }
      if let text = rule["succeededIndexes"]?.stringValue {
        let wanted = IndexIntervals(parsing: text, completions: spec.indexLimit)
        let matched = succeeded.intersection(wanted).total
        let met = count.map { matched >= $0 } ?? (matched == wanted.total)
        if wanted.total > 0 && met { return "Matched rules at index \(index)" }
      } else if let count, succeeded.total >= count {
        return "Matched rules at index \(index)"
      }
    }
    return nil
  }
}
