import KubeAPI
import KubeClient

extension JobController {
  /// Brings the number of active pods to what the spec wants: deletes all when suspended, the
  /// surplus (and duplicate indexes) when too many, else creates the missing ones in slow-start
  /// batches once the failure backoff has passed. Answers the new active count and any error.
  func manageJob(_ state: inout JobSyncState, key: String) async -> (Int, (any Error)?) {
    let spec = state.spec
    var active = state.activePods.count
    if spec.isSuspended {
      let doomed = activePodsForRemoval(spec, state.activePods, atLeast: active)
      expectations.expectDeletions(key, doomed.map(\.metadata.key))
      let (removedReady, removed, error) = await deleteJobPods(state.job, key: key, doomed)
      state.terminating += removed
      state.ready -= removedReady
      return (active - removed, error)
    }
    let wantActive: Int
    if let completions = spec.completions {
      wantActive = min(max(completions - state.succeeded, 0), spec.parallelism)
    } else {
      wantActive = state.succeeded > 0 ? active : spec.parallelism
    }
    var doomed = activePodsForRemoval(spec, state.activePods, atLeast: max(active - wantActive, 0))
    if doomed.count > Self.maxPodChangesPerSync { doomed = Array(doomed.prefix(Self.maxPodChangesPerSync)) }
    if !doomed.isEmpty {
      expectations.expectDeletions(key, doomed.map(\.metadata.key))
      let (removedReady, removed, error) = await deleteJobPods(state.job, key: key, doomed)
      state.terminating += removed
      state.ready -= removedReady
      return (active - removed, error)
    }
    let terminating = spec.onlyReplaceFailedPods ? state.terminating : 0
    var diff = wantActive - terminating - active
    guard diff > 0 else { return (active, nil) }
    let nowMs = context.clock.nowMilliseconds()
    if !spec.hasBackoffLimitPerIndex {
      let left = JobBackoffStore.remaining(
        failures: state.newBackoff.failuresAfterLastSuccess, lastFailure: state.newBackoff.lastFailure, now: nowMs)
      if left > 0 {
        queue.add(key, after: max(.milliseconds(left), Self.syncBatchPeriod))
        return (active, nil)
      }
    }
    diff = min(diff, Self.maxPodChangesPerSync)
    var indexes: [Int?] = Array(repeating: nil, count: diff)
    if spec.isIndexed {
      var pending = firstPendingIndexes(state, count: diff)
      if spec.hasBackoffLimitPerIndex {
        var soonest: Int64?
        pending = pending.filter { index in
          let left = indexBackoffRemaining(state.delayedDeletionPerIndex[index], now: nowMs)
          if left > 0 { soonest = min(soonest ?? left, left) }
          return left == 0
        }
        if pending.isEmpty, let soonest {
          queue.add(key, after: max(.milliseconds(soonest), Self.syncBatchPeriod))
          return (active, nil)
        }
      }
      indexes = pending.map { Optional($0) }
      diff = pending.count
    }
    guard diff > 0 else { return (active, nil) }
    expectations.expectCreations(key, diff)
    active += diff
    let template = podTemplate(spec)
    var firstError: (any Error)?
    var batch = 1
    var start = 0
    while start < indexes.count {
      let slice = Array(indexes[start..<min(start + batch, indexes.count)])
      let failures = await createPods(state, template: template, indexes: slice)
      for _ in failures { expectations.creationObserved(key) }
      active -= failures.count
      if let error = failures.first {
        firstError = firstError ?? error
        let skipped = indexes.count - start - slice.count
        if skipped > 0 {
          active -= skipped
          for _ in 0..<skipped { expectations.creationObserved(key) }
        }
        break
      }
      start += slice.count
      batch *= 2
    }
    return (active, firstError)
  }

  /// Milliseconds before an index whose last pod failed may get a new pod.
  private func indexBackoffRemaining(_ lastFailed: JSONValue?, now: Int64) -> Int64 {
    guard let lastFailed else { return 0 }
    return JobBackoffStore.remaining(
      failures: JobPod.indexAbsoluteFailureCount(lastFailed) + 1, lastFailure: JobPod.finishedTime(lastFailed),
      now: now)
  }

  /// The first `count` indexes that have no active, succeeded or failed pod.
  func firstPendingIndexes(_ state: JobSyncState, count: Int) -> [Int] {
    guard count > 0 else { return [] }
    var taken = state.succeededIndexes.adding(Set(state.activePods.compactMap(JobPod.completionIndex)).sorted())
    if state.spec.onlyReplaceFailedPods {
      taken = taken.adding(Set(state.pods.filter(JobPod.isTerminating).compactMap(JobPod.completionIndex)).sorted())
    }
    if let failed = state.failedIndexes { taken = taken.merging(failed) }
    var result: [Int] = []
    var candidate = 0
    let completions = state.spec.indexLimit
    while candidate < completions && result.count < count {
      if !taken.contains(candidate) { result.append(candidate) }
      candidate += 1
    }
    return result
  }

  /// Pods to delete: duplicates and out-of-range indexes first (Indexed), then the cheapest to lose.
  func activePodsForRemoval(_ spec: JobSpec, _ pods: [JSONValue], atLeast count: Int) -> [JSONValue] {
    var remove: [JSONValue] = []
    var left = pods
    if spec.isIndexed {
      left = []
      var byIndex: [Int: [JSONValue]] = [:]
      for pod in pods {
        guard let index = spec.validIndex(JobPod.completionIndex(pod)) else {
          remove.append(pod)
          continue
        }
        byIndex[index, default: []].append(pod)
      }
      for index in byIndex.keys.sorted() {
        let sorted = byIndex[index]!.sorted(by: JobPod.deletionOrder)
        remove += sorted.dropLast()
        left.append(sorted.last!)
      }
    }
    if remove.count < count {
      remove += left.sorted(by: JobPod.deletionOrder).prefix(count - remove.count)
    }
    return remove
  }

  /// The pod every creation starts from: the template with the tracking finalizer and, for
  /// Indexed Jobs, the JOB_COMPLETION_INDEX variable in every container.
  private func podTemplate(_ spec: JobSpec) -> JSONValue {
    var template = spec.spec["template"] ?? .object([:])
    var finalizers = template.metadata.finalizers ?? []
    if !finalizers.contains(JobPod.trackingFinalizer) { finalizers.append(JobPod.trackingFinalizer) }
    template.metadata.finalizers = finalizers
    guard spec.isIndexed else { return template }
    let variable: JSONValue = [
      "name": .string(JobPod.completionIndexEnv),
      "valueFrom": ["fieldRef": ["fieldPath": .string("metadata.labels['\(JobPod.completionIndexKey)']")]],
    ]
    for list in ["initContainers", "containers"] {
      guard var containers = template["spec"]?[list]?.arrayValue else { continue }
      for i in containers.indices {
        var env = containers[i]["env"]?.arrayValue ?? []
        if !env.contains(where: { $0["name"]?.stringValue == JobPod.completionIndexEnv }) {
          env.append(variable)
          containers[i]["env"] = .array(env)
        }
      }
      template["spec"]?[list] = .array(containers)
    }
    return template
  }

  /// Creates one pod per entry concurrently; answers the errors of the creations that failed.
  private func createPods(_ state: JobSyncState, template: JSONValue, indexes: [Int?]) async -> [any Error] {
    let spec = state.spec
    let job = state.job
    return await withTaskGroup(of: (any Error)?.self) { group in
      for index in indexes {
        var pod = template
        if let index {
          var annotations = pod.metadata.annotations ?? [:]
          var labels = pod.metadata.labels ?? [:]
          annotations[JobPod.completionIndexKey] = String(index)
          labels[JobPod.completionIndexKey] = String(index)
          if spec.hasBackoffLimitPerIndex {
            let (failures, ignored) = newIndexFailureCounts(spec, state.delayedDeletionPerIndex[index])
            annotations[JobPod.indexFailureCountKey] = String(failures)
            if ignored > 0 { annotations[JobPod.indexIgnoredFailureCountKey] = String(ignored) }
          }
          pod.metadata.annotations = annotations
          pod.metadata.labels = labels
          pod["spec"]?["hostname"] = .string("\(spec.name)-\(index)")
        }
        let prefix = Self.generateName(spec.name, index: index)
        let ready = pod
        group.addTask { await createPod(job, from: ready, generateName: prefix) }
      }
      var errors: [any Error] = []
      for await error in group { if let error { errors.append(error) } }
      return errors
    }
  }

  /// The failure counts a replacement pod of an index inherits from the pod it replaces.
  private func newIndexFailureCounts(_ spec: JobSpec, _ replaced: JSONValue?) -> (Int, Int) {
    guard let replaced else { return (0, 0) }
    var failures = JobPod.annotationCount(replaced, JobPod.indexFailureCountKey)
    var ignored = JobPod.annotationCount(replaced, JobPod.indexIgnoredFailureCountKey)
    if let policy = JobPodFailurePolicy(spec.podFailurePolicy), !policy.match(replaced).countsAsFailure {
      ignored += 1
    } else {
      failures += 1
    }
    return (failures, ignored)
  }

  /// `<job>-` (NonIndexed) or `<job>-<index>-`, shortened so generated names stay valid.
  static func generateName(_ job: String, index: Int?) -> String {
    let suffix = index.map { "-\($0)-" } ?? "-"
    let limit = 58
    guard job.count + suffix.count > limit else { return job + suffix }
    return String(job.prefix(max(limit - suffix.count, 0))) + suffix
  }

  private func createPod(_ job: JSONValue, from template: JSONValue, generateName: String) async -> (any Error)? {
    var metadata: [String: JSONValue] = [
      "generateName": .string(generateName), "namespace": .string(job.metadata.namespace ?? ""),
      "ownerReferences": [OwnerReferences.controller(of: job)],
    ]
    for key in ["labels", "annotations", "finalizers"] {
      if let value = template["metadata"]?[key], !value.isNull { metadata[key] = value }
    }
    let pod: JSONValue = [
      "apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": template["spec"] ?? .object([:]),
    ]
    do {
      let created = try await context.client.create(.pods, namespace: job.metadata.namespace, pod)
      context.recorder.record(job, reason: "SuccessfulCreate", message: "Created pod: \(created.metadata.name ?? "")")
      return nil
    } catch {
      context.recorder.record(job, .warning, reason: "FailedCreate", message: "Error creating: \(error)")
      return error
    }
  }

  /// Deletes active pods of a failed or finished Job, keeping their finalizers so they are
  /// counted. Answers how many ready and how many in all were deleted, and the first error.
  func deleteActivePods(_ job: JSONValue, _ pods: [JSONValue]) async -> (Int, Int, (any Error)?) {
    await deletePods(job, pods) { pod in try await deletePod(job, pod) }
  }

  /// Deletes surplus pods, removing their finalizer first (they are not counted).
  private func deleteJobPods(_ job: JSONValue, key: String, _ pods: [JSONValue]) async -> (Int, Int, (any Error)?) {
    await deletePods(job, pods) { pod in
      do {
        if JobPod.hasTrackingFinalizer(pod) { try await removeTrackingFinalizer(pod) }
        try await deletePod(job, pod)
      } catch {
        expectations.deletionObserved(key, object: pod.metadata.key)
        throw error
      }
    }
  }

  private func deletePods(
    _ job: JSONValue, _ pods: [JSONValue], _ delete: @escaping @Sendable (JSONValue) async throws -> Void
  ) async -> (Int, Int, (any Error)?) {
    await withTaskGroup(of: (ready: Bool, error: (any Error)?).self) { group in
      for pod in pods {
        group.addTask {
          do {
            try await delete(pod)
          } catch  where !error.isNotFound {
            return (false, error)
          } catch {}
          return (PodStatus.isReady(pod), nil)
        }
      }
      var ready = 0
      var deleted = 0
      var firstError: (any Error)?
      for await result in group {
        if let error = result.error {
          firstError = firstError ?? error
        } else {
          deleted += 1
          if result.ready { ready += 1 }
        }
      }
      return (ready, deleted, firstError)
    }
  }

  private func deletePod(_ job: JSONValue, _ pod: JSONValue) async throws {
    let name = pod.metadata.name ?? ""
    do {
      try await context.client.delete(.pods, namespace: pod.metadata.namespace, name: name)
      context.recorder.record(job, reason: "SuccessfulDelete", message: "Deleted pod: \(name)")
    } catch  where !error.isNotFound {
      context.recorder.record(job, .warning, reason: "FailedDelete", message: "Error deleting: \(error)")
      throw error
    }
  }
}
