import KubeAPI
import KubeClient

/// The core loop: a daemon pod on every node that should run one, none where it may not stay,
/// failed pods replaced (with per-node backoff), and at most one pod per node (two while
/// surging: the oldest new and the oldest old).
extension DaemonSetController {
  func manage(_ set: JSONValue, nodes: [JSONValue], pods: [JSONValue], hash: String) async throws {
    let byNode = Self.podsByNode(pods)
    var needing: [String] = []
    var toDelete: [String] = []
    let surge = allowsSurge(set)
    for node in nodes {
      let name = node.metadata.name ?? ""
      let verdict = DaemonPlacement.verdict(node: node, daemonSet: set)
      let onNode = byNode[name]
      switch (verdict, onNode) {
      case (let verdict, nil) where verdict.shouldRun:
        needing.append(name)
      case (let verdict, let onNode?) where verdict.shouldContinueRunning:
        var running: [JSONValue] = []
        for pod in onNode where !pod.metadata.isBeingDeleted {
          switch PodStatus.phase(pod) {
          case "Failed":
            let backoffKey = "\(set.metadata.uid ?? "")/\(name)"
            if let wait = failedPods.remaining(backoffKey) {
              queue.add(set.metadata.key, after: wait)
              continue
            }
            failedPods.next(backoffKey)
            context.recorder.record(
              set, .warning, reason: "FailedDaemonPod",
              message: "Found failed daemon pod \(pod.metadata.key) on node \(name), will try to kill it")
            toDelete.append(pod.metadata.name ?? "")
          case "Succeeded":
            toDelete.append(pod.metadata.name ?? "")
          default:
            running.append(pod)
          }
        }
        toDelete += excessPods(running, set: set, hash: hash, surge: surge)
      case (let verdict, let onNode?) where !verdict.shouldContinueRunning:
        toDelete += onNode.filter { !$0.metadata.isBeingDeleted }.compactMap(\.metadata.name)
      default:
        break
      }
    }
    // Unbound pods pinned to nodes that no longer exist.
    let known = Set(nodes.compactMap(\.metadata.name))
    for (node, onNode) in byNode where !known.contains(node) {
      for pod in onNode
      where (pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty && !pod.metadata.isBeingDeleted {
        toDelete.append(pod.metadata.name ?? "")
      }
    }
    try await syncNodes(set, delete: toDelete, createOn: needing, hash: hash)
  }

  /// Without surge, all but the oldest running pod on a node; with surge, all but the oldest
  /// new and oldest old, and the old one too once the new one is available (or the old is not
  /// ready).
  func excessPods(_ running: [JSONValue], set: JSONValue, hash: String, surge: Bool) -> [String] {
    guard running.count > 1 else { return [] }
    let sorted = Self.oldestFirst(running)
    guard surge else { return sorted.dropFirst().compactMap(\.metadata.name) }
    var oldestNew: JSONValue?
    var oldestOld: JSONValue?
    var excess: [String] = []
    for pod in sorted {
      if pod.metadata.labels?[ControllerRevisions.hashLabel] == hash {
        if oldestNew == nil {
          oldestNew = pod
          continue
        }
      } else if oldestOld == nil {
        oldestOld = pod
        continue
      }
      excess.append(pod.metadata.name ?? "")
    }
    if let oldestNew, let oldestOld {
      if !PodStatus.isReady(oldestOld)
        || PodStatus.isAvailable(oldestNew, minReadySeconds: Self.minReadySeconds(set), now: context.now)
      {
        excess.append(oldestOld.metadata.name ?? "")
      }
    }
    return excess
  }

  func allowsSurge(_ set: JSONValue) -> Bool {
    guard set["spec"]?["updateStrategy"]?["type"]?.stringValue == "RollingUpdate" else { return false }
    let surge = set["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxSurge"]
    return (IntOrPercent.scaled(surge, total: 1, roundUp: true) ?? 0) > 0
  }

  /// Deletes and creates pods, expecting to see each change before acting on counts again.
  /// Creations go in slow-start batches (1, 2, 4, …) and stop at the first failing batch.
  func syncNodes(_ set: JSONValue, delete: [String], createOn nodes: [String], hash: String) async throws {
    let key = set.metadata.key
    let namespace = set.metadata.namespace ?? ""
    let deletes = Array(delete.prefix(Self.burstReplicas))
    let creates = Array(nodes.prefix(Self.burstReplicas))
    guard !deletes.isEmpty || !creates.isEmpty else { return }
    expectations.expect(key, creations: creates.count, deletions: deletes.map { "\(namespace)/\($0)" })
    var errors: [String] = []
    var start = 0
    var batch = 1
    while start < creates.count {
      let slice = creates[start..<min(start + batch, creates.count)]
      let failures = await withTaskGroup(of: String?.self) { group in
        for node in slice {
          group.addTask { await createPod(set, node: node, hash: hash) }
        }
        var failures: [String] = []
        for await failure in group { if let failure { failures.append(failure) } }
        return failures
      }
      start += slice.count
      if !failures.isEmpty {
        errors += failures
        // The pods never attempted will not be observed either.
        for _ in start..<creates.count { expectations.creationObserved(key) }
        break
      }
      batch *= 2
    }
    await withTaskGroup(of: String?.self) { group in
      for name in deletes {
        group.addTask { await deletePod(set, name: name) }
      }
      for await failure in group { if let failure { errors.append(failure) } }
    }
    if !errors.isEmpty { throw WorkloadControllerError.failed(key, errors) }
  }

  /// Creates the daemon pod for one node; answers the error message when it failed.
  private func createPod(_ set: JSONValue, node: String, hash: String) async -> String? {
    let key = set.metadata.key
    do {
      let pod = try await context.client.create(
        .pods, namespace: set.metadata.namespace, newPod(set, node: node, hash: hash))
      context.recorder.record(set, reason: "SuccessfulCreate", message: "Created pod: \(pod.metadata.name ?? "")")
      return nil
    } catch {
      expectations.creationObserved(key)
      context.recorder.record(set, .warning, reason: "FailedCreate", message: "Error creating: \(error)")
      return "creating a pod for node \(node): \(error)"
    }
  }

  private func deletePod(_ set: JSONValue, name: String) async -> String? {
    let key = set.metadata.key
    let podKey = "\(set.metadata.namespace ?? "")/\(name)"
    do {
      try await context.client.delete(.pods, namespace: set.metadata.namespace, name: name)
      context.recorder.record(set, reason: "SuccessfulDelete", message: "Deleted pod: \(name)")
      return nil
    } catch  where error.isNotFound {
      expectations.deletionObserved(key, pod: podKey)
      return nil
    } catch {
      expectations.deletionObserved(key, pod: podKey)
      context.recorder.record(set, .warning, reason: "FailedDelete", message: "Error deleting: \(error)")
      return "deleting pod \(name): \(error)"
    }
  }

  /// The pod for `node`: the template with the revision hash label, the daemon tolerations and
  /// required node affinity for exactly that node.
  func newPod(_ set: JSONValue, node: String, hash: String) -> JSONValue {
    let template = set["spec"]?["template"] ?? .object([:])
    var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
    if !hash.isEmpty { labels[ControllerRevisions.hashLabel] = .string(hash) }
    if let generation = set.metadata.annotations?[Self.templateGenerationAnnotation] {
      labels[Self.templateGenerationLabel] = .string(generation)
    }
    var spec = template["spec"] ?? .object([:])
    DaemonPlacement.addDaemonTolerations(&spec)
    spec["affinity"] = DaemonPlacement.pinning(spec["affinity"], to: node)
    var metadata: [String: JSONValue] = [
      "generateName": .string("\(set.metadata.name ?? "")-"), "namespace": .string(set.metadata.namespace ?? ""),
      "labels": .object(labels), "ownerReferences": [ControllerRefs.reference(to: set, type: .daemonSets)],
    ]
    for field in ["annotations", "finalizers"] {
      if let value = template["metadata"]?[field], !value.isNull { metadata[field] = value }
    }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": spec]
  }
}
