import KubeAPI
import KubeClient

/// Keeps `spec.replicas` pods running for each ReplicaSet (and, with `.replicationControllers`,
/// each ReplicationController): adopts matching orphans, releases pods that stopped matching,
/// creates in slow-start batches and deletes the least useful pods first.
public struct ReplicaSetController: Controller {
  public let name: String
  let context: ControllerContext
  let type: ResourceType
  let queue = WorkQueue()
  let expectations = Expectations()

  /// Upstream's cap on creations or deletions per sync.
  static let burstReplicas = 500

  public init(context: ControllerContext, type: ResourceType = .replicaSets) {
    self.context = context
    self.type = type
    name = type == .replicaSets ? "replicaset" : "replicationcontroller"
  }

  public func run() async {
    let owners = context.informers.informer(type)
    let pods = context.informers.informer(.pods)
    pods.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    owners.onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    pods.onEvent { [queue, expectations, kind = type.kind] event in
      let pod = event.object
      let owner = pod.metadata.controllerReference
      let ownerKey = owner.flatMap {
        $0.kind == kind ? ObjectKey(namespace: pod.metadata.namespace, name: $0.name) : nil
      }
      switch event {
      case .added:
        if let ownerKey { expectations.creationObserved(ownerKey.description) }
      case .deleted:
        if let ownerKey { expectations.deletionObserved(ownerKey.description, object: ObjectCache.key(pod)) }
      case .updated(let old, _):
        if pod.metadata.isBeingDeleted, let ownerKey {
          expectations.deletionObserved(ownerKey.description, object: ObjectCache.key(pod))
        }
        if let previous = old.metadata.controllerReference, previous.uid != owner?.uid, previous.kind == kind {
          queue.add(ObjectCache.key(namespace: pod.metadata.namespace, name: previous.name))
        }
      }
      if let ownerKey {
        queue.add(ownerKey.description)
      } else if owner == nil {
        // An orphan: every owner in its namespace may want to adopt it.
        for candidate in context.informers.cache(type).list(namespace: pod.metadata.namespace ?? "") {
          queue.add(ObjectCache.key(candidate))
        }
      }
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    guard let owner = context.informers.cache(type).get(key) else {
      expectations.forget(key)
      return
    }
    let pods = try await claimPods(owner)
    let active = pods.filter(PodStatus.isActive)
    var failure: String?
    if expectations.satisfied(key), !owner.metadata.isBeingDeleted {
      do {
        try await manage(owner, key: key, active: active)
      } catch {
        failure = "\(error)"
      }
    }
    try await updateStatus(owner, pods: pods, active: active, failure: failure)
    if let failure { throw KubeClientError.transport(failure) }
    // Availability after minReadySeconds is a time-based change nothing else wakes us for.
    let minReady = owner["spec"]?["minReadySeconds"]?.intValue ?? 0
    if minReady > 0 { queue.add(key, after: .seconds(minReady)) }
  }

  /// The selector: a LabelSelector for ReplicaSets, a plain map for ReplicationControllers.
  func selector(_ owner: JSONValue) -> LabelSelector {
    let raw = owner["spec"]?["selector"]
    if type == .replicationControllers {
      let labels = raw?.objectValue?.compactMapValues(\.stringValue) ?? [:]
      return labels.isEmpty ? .nothing : LabelSelector(matching: labels)
    }
    return (try? LabelSelector(object: raw)) ?? .nothing
  }

  /// Owned pods that still match, after adopting matching orphans and releasing owned pods
  /// that no longer match (client-go's PodControllerRefManager).
  func claimPods(_ owner: JSONValue) async throws -> [JSONValue] {
    let selector = selector(owner)
    let cache = context.informers.cache(.pods)
    let (owned, orphans) = cache.controlledOrOrphaned(by: owner)
    var claimed: [JSONValue] = []
    for pod in owned {
      if selector.matches(pod) || owner.metadata.isBeingDeleted {
        claimed.append(pod)
      } else {
        try await ControllerRefs.release(pod, type: .pods, from: owner, client: context.client)
      }
    }
    guard !owner.metadata.isBeingDeleted, !selector.isEmpty else { return claimed }
    for pod in orphans where selector.matches(pod) && !pod.metadata.isBeingDeleted {
      if let adopted = try await ControllerRefs.adopt(
        pod, type: .pods, by: owner, ownerType: type, client: context.client)
      {
        claimed.append(adopted)
      }
    }
    return claimed
  }

  private func manage(_ owner: JSONValue, key: String, active: [JSONValue]) async throws {
    let desired = Int(owner["spec"]?["replicas"]?.intValue ?? 1)
    let diff = active.count - desired
    if diff < 0 {
      let count = min(-diff, Self.burstReplicas)
      expectations.expectCreations(key, count)
      do {
        _ = try await PodCreation.slowStart(count: count) { try await createPod(for: owner) }
      } catch let partial as PodCreation.PartialCreation {
        for _ in partial.created..<count { expectations.creationObserved(key) }
        throw partial.error
      }
    } else if diff > 0 {
      let victims = Array(PodRanking.deletionOrder(active).prefix(min(diff, Self.burstReplicas)))
      expectations.expectDeletions(key, victims.map(ObjectCache.key))
      for pod in victims {
        do {
          try await context.client.delete(.pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "")
          context.recorder.record(owner, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.metadata.name ?? "")")
        } catch  where error.isNotFound {
          expectations.deletionObserved(key, object: ObjectCache.key(pod))
        } catch {
          expectations.deletionObserved(key, object: ObjectCache.key(pod))
          context.recorder.record(
            owner, .warning, reason: "FailedDelete", message: "Error deleting: \(error)")
          throw error
        }
      }
    }
  }

  private func createPod(for owner: JSONValue) async throws {
    let pod = PodTemplate.pod(
      from: owner["spec"]?["template"] ?? [:], owner: owner, generateName: "\(owner.metadata.name ?? "")-")
    do {
      let created = try await context.client.create(.pods, namespace: owner.metadata.namespace, pod)
      context.recorder.record(owner, reason: "SuccessfulCreate", message: "Created pod: \(created.metadata.name ?? "")")
    } catch {
      context.recorder.record(owner, .warning, reason: "FailedCreate", message: "Error creating: \(error)")
      throw error
    }
  }

  private func updateStatus(_ owner: JSONValue, pods: [JSONValue], active: [JSONValue], failure: String?) async throws {
    let now = context.now
    let minReady = owner["spec"]?["minReadySeconds"]?.intValue ?? 0
    let templateLabels =
      owner["spec"]?["template"]?["metadata"]?["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
    var status = owner["status"]?.objectValue ?? [:]
    status["replicas"] = .int(Int64(active.count))
    status["fullyLabeledReplicas"] = .int(
      Int64(active.filter { pod in templateLabels.allSatisfy { pod.metadata.labels?[$0.key] == $0.value } }.count))
    status["readyReplicas"] = .int(Int64(active.filter(PodStatus.isReady).count))
    status["availableReplicas"] = .int(
      Int64(active.filter { PodStatus.isAvailable($0, minReadySeconds: minReady, now: now) }.count))
    status["terminatingReplicas"] = nil
    status["observedGeneration"] = .int(owner.metadata.generation ?? 1)
    var updated = owner
    updated["status"] = .object(status)
    if let failure {
      updated.setCondition("ReplicaFailure", status: "True", reason: "FailedCreate", message: failure, now: now)
    } else {
      updated.removeCondition("ReplicaFailure")
    }
    guard updated["status"] != owner["status"], context.writes.includesLastWrite(type, owner) else { return }
    do {
      context.writes.record(type, try await context.client.update(type, updated, subresource: "status"))
    } catch  where error.isNotFound {}
  }
}
