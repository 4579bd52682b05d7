import KubeAPI
import KubeClient

extension JobController {
  /// Counts finished pods exactly once: their UIDs first go into
  /// `status.uncountedTerminatedPods` (written), then their tracking finalizers are removed,
  /// then they move into `succeeded`/`failed` (written again). Adds the interim and terminal
  /// conditions once no pod is left uncounted or terminating.
  func trackStatusAndRemoveFinalizers(_ state: inout JobSyncState, key: String, needsFlush: Bool) async throws {
    var needsFlush = needsFlush
    let spec = state.spec
    var pods = state.pods
    if spec.isIndexed {
      pods.sort { (JobPod.completionIndex($0) ?? -1) < (JobPod.completionIndex($1) ?? -1) }
    }
    var withFinalizer = Set(
      pods.filter { JobPod.hasTrackingFinalizer($0) && !state.expectedRemovedFinalizers.contains(JobPod.uid($0)) }
        .map(JobPod.uid))
    if cleanUncounted(&state.status, withFinalizer) { needsFlush = true }
    let policy = JobPodFailurePolicy(spec.podFailurePolicy)
    var toRemove: [JSONValue] = []
    var newSucceededIndexes: [Int] = []
    var reachedMax = false
    for pod in pods {
      let uid = JobPod.uid(pod)
      guard JobPod.hasTrackingFinalizer(pod), !state.expectedRemovedFinalizers.contains(uid) else { continue }
      let failed = JobPod.isFailed(pod, spec)
      guard canRemoveFinalizer(state, pod, failed: failed) else { continue }
      toRemove.append(pod)
      if JobPod.isSucceeded(pod) && !state.uncountedFailed.contains(uid) {
        if spec.isIndexed {
          if let index = spec.validIndex(JobPod.completionIndex(pod)),
            !state.previousSucceededIndexes.contains(index)
          {
            newSucceededIndexes.append(index)
            needsFlush = true
          }
        } else if !state.uncountedSucceeded.contains(uid) {
          state.status.uncountedSucceeded.append(uid)
          needsFlush = true
        }
      } else if failed || (state.finished != nil && state.finished?.type != JobCondition.successCriteriaMet) {
        let validIndex = !spec.isIndexed || spec.validIndex(JobPod.completionIndex(pod)) != nil
        if !state.uncountedFailed.contains(uid) && validIndex
          && (policy.map { $0.match(pod).countsAsFailure } ?? true)
        {
          state.status.uncountedFailed.append(uid)
          needsFlush = true
        }
      }
      let pending =
        newSucceededIndexes.count + state.status.uncountedSucceeded.count
        + state.status.uncountedFailed.count
      if pending >= Self.maxUncountedPods {
        reachedMax = true
        break
      }
    }
    if spec.isIndexed {
      state.succeededIndexes = state.succeededIndexes.adding(Set(newSucceededIndexes).sorted())
      let text = state.succeededIndexes.description
      if text != state.status.completedIndexes { needsFlush = true }
      state.status.succeeded = state.succeededIndexes.total
      state.status.completedIndexes = text
      let failedText = state.failedIndexes?.description
      if failedText != state.status.failedIndexes {
        state.status.failedIndexes = failedText
        needsFlush = true
      }
    }
    if let finished = state.finished, finished.type == JobCondition.failureTarget {
      state.status.conditions.append(finished.json(now: now))
      needsFlush = true
      state.finished = finished.terminal
    }
    if let finished = state.finished, finished.type == JobCondition.successCriteriaMet {
      if !state.status.hasTrueCondition(JobCondition.successCriteriaMet) {
        state.status.conditions.append(finished.json(now: now))
        needsFlush = true
      }
      state.finished = finished.terminal
    }
    needsFlush = try await flushAndRemoveFinalizers(
      &state, key: key, toRemove, withFinalizer: &withFinalizer, needsFlush: needsFlush)
    let finished = !reachedMax && enactFinished(&state)
    if finished { needsFlush = true }
    guard needsFlush else { return }
    try await writeStatus(&state)
    if finished, let condition = state.finished { recordFinished(state, condition) }
  }

  /// A pod's finalizer may go once the Job is ending, or the pod succeeded, or it failed
  /// (unless its index waits for a replacement to inherit its failure count).
  private func canRemoveFinalizer(_ state: JobSyncState, _ pod: JSONValue, failed: Bool) -> Bool {
    if state.job.metadata.isBeingDeleted || state.finished != nil || JobPod.isSucceeded(pod) { return true }
    guard failed else { return false }
    if state.spec.hasBackoffLimitPerIndex, let index = JobPod.completionIndex(pod),
      let kept = state.delayedDeletionPerIndex[index], JobPod.uid(kept) == JobPod.uid(pod)
    {
      return false
    }
    return true
  }

  /// Writes the uncounted UIDs, removes the finalizers, then moves the pods whose finalizer
  /// is gone into the counters. Answers whether status still needs a write.
  private func flushAndRemoveFinalizers(
    _ state: inout JobSyncState, key: String, _ pods: [JSONValue], withFinalizer: inout Set<String>,
    needsFlush: Bool
  ) async throws -> Bool {
    var needsFlush = needsFlush
    if needsFlush {
      try await writeStatus(&state)
      backoff.update(key, state.newBackoff)
      needsFlush = false
    }
    var removalError: (any Error)?
    if !pods.isEmpty {
      finalizerExpectations.expectRemovals(key, pods.map(JobPod.uid))
      let results = await withTaskGroup(of: (String, (any Error)?).self) { group in
        for pod in pods {
          group.addTask {
            do {
              try await removeTrackingFinalizer(pod)
              return (JobPod.uid(pod), nil)
            } catch {
              finalizerExpectations.removalObserved(key, JobPod.uid(pod))
              return (JobPod.uid(pod), error.isNotFound ? nil : error)
            }
          }
        }
        var results: [(String, (any Error)?)] = []
        for await result in group { results.append(result) }
        return results
      }
      for (uid, error) in results {
        if let error { removalError = removalError ?? error } else { withFinalizer.remove(uid) }
      }
    }
    if cleanUncounted(&state.status, withFinalizer) { needsFlush = true }
    if let removalError {
      if needsFlush { try await writeStatus(&state) }
      throw removalError
    }
    return needsFlush
  }

  /// Moves uncounted UIDs whose pods no longer carry the finalizer into the counters.
  private func cleanUncounted(_ status: inout JobStatus, _ withFinalizer: Set<String>) -> Bool {
    var changed = false
    let succeeded = status.uncountedSucceeded.filter(withFinalizer.contains)
    if succeeded.count != status.uncountedSucceeded.count {
      status.succeeded += status.uncountedSucceeded.count - succeeded.count
      status.uncountedSucceeded = succeeded
      changed = true
    }
    let failed = status.uncountedFailed.filter(withFinalizer.contains)
    if failed.count != status.uncountedFailed.count {
      status.failed += status.uncountedFailed.count - failed.count
      status.uncountedFailed = failed
      changed = true
    }
    return changed
  }

  /// Adds the terminal Complete/Failed condition once every pod is counted and none terminates.
  private func enactFinished(_ state: inout JobSyncState) -> Bool {
    guard let finished = state.finished else { return false }
    guard state.status.uncountedSucceeded.isEmpty, state.status.uncountedFailed.isEmpty, state.terminating == 0
    else { return false }
    let time = now
    state.status.ensureCondition(finished, now: time)
    if finished.type == JobCondition.complete { state.status.completionTime = time.rfc3339 }
    return true
  }

  private func recordFinished(_ state: JobSyncState, _ condition: JobCondition) {
    if condition.type == JobCondition.complete {
      if let completions = state.spec.completions, state.status.succeeded > completions {
        context.recorder.record(
          state.job, .warning, reason: "TooManySucceededPods",
          message: "Too many succeeded pods running after completion count reached")
      }
      context.recorder.record(state.job, reason: "Completed", message: "Job completed")
    } else {
      context.recorder.record(state.job, .warning, reason: condition.reason, message: condition.message)
    }
  }

  /// PUTs `status` with the resourceVersion last read, so a stale view fails with a conflict.
  private func writeStatus(_ state: inout JobSyncState) async throws {
    var job = state.job
    state.status.write(into: &job)
    state.job = try await context.client.update(.jobs, job, subresource: "status")
  }
}
