import KubeAPI
import KubeClient

/// upstream's updateStatefulSet: pods in the ordinal range are created (claims first) and
/// repaired, pods above it are removed highest first, then a rolling update replaces pods not
/// at the update revision from the highest ordinal down to the partition. With OrderedReady
/// every step waits for the pods before it to be Running, Ready and available.
extension StatefulSetController {
  /// Fills `status` and moves the pods one step; answers the error that stopped it, if any.
  func reconcile(
    _ set: JSONValue, current: JSONValue, update: JSONValue, pods: [JSONValue], status: inout SetStatus
  ) async -> (any Error)? {
    let currentSet = ControllerRevisions.applying(current, to: set)
    let updateSet = ControllerRevisions.applying(update, to: set)
    let revisions = (current: current.metadata.name ?? "", update: update.metadata.name ?? "")
    let start = Self.startOrdinal(set)
    let count = Self.replicas(set)
    var found = [JSONValue?](repeating: nil, count: count)
    var condemned: [JSONValue] = []
    for pod in pods {
      if Self.inOrdinalRange(pod, set) {
        found[Self.ordinal(pod) - start] = pod
      } else if Self.ordinal(pod) >= 0 {
        condemned.append(pod)
      }
    }
    var replicas = found.enumerated().map { index, pod in
      pod ?? newVersionedPod(currentSet: currentSet, updateSet: updateSet, revisions: revisions, ordinal: start + index)
    }
    condemned.sort { Self.ordinal($0) > Self.ordinal($1) }
    let firstUnhealthy =
      (replicas.first { !Self.isHealthy($0) } ?? condemned.reversed().first { !Self.isHealthy($0) })?.metadata.name
    let minReady = set["spec"]?["minReadySeconds"]?.intValue ?? 0
    let now = context.now
    status.count(pods, minReadySeconds: minReady, now: now, revisions: revisions)
    if set.metadata.isBeingDeleted { return nil }
    if let error = await manageReplicas(
      set, updateSet: updateSet, currentSet: currentSet, revisions: revisions, replicas: &replicas,
      condemned: condemned, firstUnhealthy: firstUnhealthy)
    {
      status.count(replicas + condemned, minReadySeconds: minReady, now: now, revisions: revisions)
      return error.error
    }
    status.count(replicas + condemned, minReadySeconds: minReady, now: now, revisions: revisions)
    return await rollingUpdate(set, replicas: replicas, revisions: revisions, status: &status)
  }

  /// Wraps "stopped here" (with or without an error) so that a plain stop is not an error.
  struct Stop: Error {
    var error: (any Error)?
  }

  /// Creates, repairs and removes pods; answers a Stop when an ordered set must wait (or failed).
  func manageReplicas(
    _ set: JSONValue, updateSet: JSONValue, currentSet: JSONValue, revisions: (current: String, update: String),
    replicas: inout [JSONValue], condemned: [JSONValue], firstUnhealthy: String?
  ) async -> Stop? {
    let minReady = set["spec"]?["minReadySeconds"]?.intValue ?? 0
    let monotonic = set["spec"]?["podManagementPolicy"]?.stringValue != "Parallel"

    // Replicas in the ordinal range: one at a time (OrderedReady) or all in slow-start batches.
    let step: @Sendable (JSONValue) async -> ReplicaStep = { pod in
      await processReplica(
        set, updateSet: updateSet, currentSet: currentSet, revisions: revisions, monotonic: monotonic, pod: pod)
    }
    if monotonic {
      for index in replicas.indices {
        let result = await step(replicas[index])
        replicas[index] = result.pod
        if result.stop || result.error != nil { return Stop(error: result.error) }
      }
    } else {
      let snapshot = replicas
      let failure = await Self.inBatches(
        Array(snapshot.indices),
        { index in
          let result = await step(snapshot[index])
          return (index, result.pod, result.error)
        }, apply: { replicas[$0] = $1 })
      if let failure { return Stop(error: failure) }
    }

    // Pods above the range: their claims get the scale-down owner references first.
    for pod in condemned where !claimsMatchRetentionPolicy(updateSet, pod: pod) {
      do { try await updateClaimsForRetention(updateSet, pod: pod) } catch { return Stop(error: error) }
    }
    for pod in condemned {
      if pod.metadata.isBeingDeleted {
        if monotonic { return Stop() }
        continue
      }
      let name = pod.metadata.name
      let waiting =
        !Self.isRunningAndReady(pod) || !PodStatus.isAvailable(pod, minReadySeconds: minReady, now: context.now)
      if monotonic && waiting && name != firstUnhealthy { return Stop() }
      do { try await deleteStatefulPod(set, pod) } catch { return Stop(error: error) }
      if monotonic { return Stop() }
    }
    return nil
  }

  /// Deletes pods not at the update revision, highest ordinal first and down to the partition:
  /// one at a time waiting for each replacement to be healthy, or (with maxUnavailable) as many
  /// as keep the unhealthy count within it.
  func rollingUpdate(
    _ set: JSONValue, replicas: [JSONValue], revisions: (current: String, update: String), status: inout SetStatus
  ) async -> (any Error)? {
    guard Self.strategy(set) != "OnDelete" else { return nil }
    let count = replicas.count
    let rolling = set["spec"]?["updateStrategy"]?["rollingUpdate"]
    let partition = Int(rolling?["partition"]?.intValue ?? 0)
    if let maxUnavailable = rolling?["maxUnavailable"], !maxUnavailable.isNull {
      let limit = max(IntOrPercent.scaled(maxUnavailable, total: count, roundUp: false) ?? 1, 1)
      let unavailable = replicas.filter { !Self.isHealthy($0) }.count
      guard unavailable < limit else { return nil }
      var budget = limit - unavailable
      for target in stride(from: replicas.count - 1, through: partition, by: -1) where budget > 0 {
        let pod = replicas[target]
        guard Self.revision(pod) != revisions.update, !pod.metadata.isBeingDeleted else { continue }
        do { try await deleteStatefulPod(set, pod) } catch  where !error.isNotFound { return error } catch {}
        budget -= 1
        status.current -= 1
      }
      return nil
    }
    for target in stride(from: replicas.count - 1, through: partition, by: -1) {
      let pod = replicas[target]
      if Self.revision(pod) != revisions.update && !pod.metadata.isBeingDeleted {
        status.current -= 1
        do { try await deleteStatefulPod(set, pod) } catch  where !error.isNotFound { return error } catch {}
        return nil
      }
      if !Self.isHealthy(pod) { return nil }
    }
    return nil
  }

  /// What processing one replica did: the pod as it now stands, and whether an ordered set must
  /// stop here.
  struct ReplicaStep: Sendable {
    var pod: JSONValue
    var stop: Bool
    var error: (any Error)?
  }

  func processReplica(
    _ set: JSONValue, updateSet: JSONValue, currentSet: JSONValue, revisions: (current: String, update: String),
    monotonic: Bool, pod: JSONValue
  ) async -> ReplicaStep {
    let phase = pod["status"]?["phase"]?.stringValue ?? ""
    if phase == "Failed" || phase == "Succeeded" {
      // Recreated on a later sync, once the old pod is gone.
      if !pod.metadata.isBeingDeleted {
        context.recorder.record(
          set, .warning, reason: phase == "Failed" ? "RecreatingFailedPod" : "RecreatingTerminatedPod",
          message:
            "StatefulSet \(set.metadata.key) is recreating \(phase == "Failed" ? "failed" : "terminated") Pod \(pod.metadata.name ?? "")"
        )
        do { try await deleteStatefulPod(set, pod) } catch { return ReplicaStep(pod: pod, stop: true, error: error) }
      }
      return ReplicaStep(pod: pod, stop: true)
    }
    if phase.isEmpty {
      // Claims still owned by an earlier pod of this name wait for the garbage collector.
      if claimIsStale(set, pod: pod) { return ReplicaStep(pod: pod, stop: true) }
      do { try await createStatefulPod(set, pod) } catch { return ReplicaStep(pod: pod, stop: true, error: error) }
      return ReplicaStep(pod: pod, stop: monotonic)
    }
    if phase == "Pending" {
      do { try await createClaims(set, pod: pod) } catch { return ReplicaStep(pod: pod, stop: true, error: error) }
    }
    if monotonic {
      let minReady = set["spec"]?["minReadySeconds"]?.intValue ?? 0
      if pod.metadata.isBeingDeleted || !Self.isRunningAndReady(pod)
        || !PodStatus.isAvailable(pod, minReadySeconds: minReady, now: context.now)
      {
        return ReplicaStep(pod: pod, stop: true)
      }
    }
    if identityMatches(set, pod) && storageMatches(set, pod) && claimsMatchRetentionPolicy(updateSet, pod: pod) {
      return ReplicaStep(pod: pod, stop: false)
    }
    do {
      return ReplicaStep(pod: try await updateStatefulPod(updateSet, pod), stop: false)
    } catch {
      return ReplicaStep(pod: pod, stop: true, error: error)
    }
  }

  /// Runs `work` over the items in slow-start batches (1, 2, 4, …), stopping after a batch with
  /// a failure; `apply` records each result.
  static func inBatches(
    _ items: [Int], _ work: @escaping @Sendable (Int) async -> (Int, JSONValue, (any Error)?),
    apply: (Int, JSONValue) -> Void
  ) async -> (any Error)? {
    var start = 0
    var size = 1
    while start < items.count {
      let batch = Array(items[start..<min(start + size, items.count)])
      let results = await withTaskGroup(of: (Int, JSONValue, (any Error)?).self) { group in
        for item in batch { group.addTask { await work(item) } }
        var results: [(Int, JSONValue, (any Error)?)] = []
        for await result in group { results.append(result) }
        return results
      }
      for (index, pod, _) in results { apply(index, pod) }
      if let error = results.compactMap(\.2).first { return error }
      start += batch.count
      size *= 2
    }
    return nil
  }

  static func revision(_ pod: JSONValue) -> String { pod.metadata.labels?[ControllerRevisions.hashLabel] ?? "" }

  static func isRunningAndReady(_ pod: JSONValue) -> Bool {
    PodStatus.phase(pod) == "Running" && PodStatus.isReady(pod)
  }

  static func isHealthy(_ pod: JSONValue) -> Bool { isRunningAndReady(pod) && !pod.metadata.isBeingDeleted }
}

extension SetStatus {
  /// Recounts the pods (upstream computeReplicaStatus): created, ready, available, and at the
  /// current or update revision.
  mutating func count(
    _ pods: [JSONValue], minReadySeconds: Int64, now: KubeTime, revisions: (current: String, update: String)
  ) {
    (replicas, ready, available, current, updated) = (0, 0, 0, 0, 0)
    for pod in pods {
      let created = !(pod["status"]?["phase"]?.stringValue ?? "").isEmpty
      if created { replicas += 1 }
      if StatefulSetController.isRunningAndReady(pod) {
        ready += 1
        if PodStatus.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { available += 1 }
      }
      guard created && !pod.metadata.isBeingDeleted else { continue }
      let revision = StatefulSetController.revision(pod)
      if revision == revisions.current { current += 1 }
      if revision == revisions.update { updated += 1 }
    }
  }
}
