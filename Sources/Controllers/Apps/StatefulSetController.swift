import KubeAPI
import KubeClient

/// Runs StatefulSets as kube-controller-manager's statefulset controller: pods with stable
/// ordinal names and storage (`<set>-<i>`, claims `<template>-<set>-<i>` created first), created
/// in order and removed in reverse (OrderedReady) or all at once (Parallel), templates versioned
/// as ControllerRevisions and rolled out from the highest ordinal down to the partition.
public struct StatefulSetController: Controller {
  public let name = "statefulset"
  let context: ControllerContext
  let queue = WorkQueue()

  static let podNameLabel = "statefulset.kubernetes.io/pod-name"
  static let podIndexLabel = "apps.kubernetes.io/pod-index"

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let informers = context.informers
    let sets = informers.informer(.statefulSets)
    let pods = informers.informer(.pods)
    let revisions = informers.informer(.controllerRevisions)
    _ = informers.informer(.persistentVolumeClaims)
    pods.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    revisions.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    sets.onEvent { [queue] event in queue.add(event.object.metadata.key) }
    pods.onEvent { event in podChanged(event) }
    await informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  /// Wakes the set that owns (or owned) the pod; a new orphan wakes every set that could adopt it.
  func podChanged(_ event: InformerEvent) {
    let sets = context.informers.cache(.statefulSets)
    let pod = event.object
    if case .updated(let old, _) = event, old.metadata.controllerReference != pod.metadata.controllerReference,
      let previous = ControllerRefs.owner(of: old, type: .statefulSets, cache: sets)
    {
      queue.add(previous.metadata.key)
    }
    if let set = ControllerRefs.owner(of: pod, type: .statefulSets, cache: sets) {
      queue.add(set.metadata.key)
      return
    }
    guard case .added = event, pod.metadata.controllerReference == nil else { return }
    for set in sets.list(namespace: pod.metadata.namespace ?? "")
    where (try? LabelSelector(object: set["spec"]?["selector"]))?.matches(pod) == true {
      queue.add(set.metadata.key)
    }
  }

  func sync(_ key: String) async throws {
    guard var set = context.informers.cache(.statefulSets).get(key) else { return }
    set.apiVersion = "apps/v1"
    set.kind = "StatefulSet"
    let selector: LabelSelector
    do {
      selector = try LabelSelector(object: set["spec"]?["selector"])
    } catch {
      context.recorder.record(set, .warning, reason: "InvalidSelector", message: "invalid selector: \(error)")
      return
    }
    let revisions = try await ControllerRevisions.claim(
      for: set, ownerType: .statefulSets, selector: selector, context: context)
    let name = set.metadata.name ?? ""
    let pods = try await ControllerRefs.claimPods(
      for: set, ownerType: .statefulSets, selector: selector, context: context,
      filter: { Self.parentAndOrdinal($0.metadata.name ?? "")?.parent == name })
    let status = try await update(set, pods: pods, revisions: revisions)
    let minReady = set["spec"]?["minReadySeconds"]?.intValue ?? 0
    if minReady > 0, status.available != Self.replicas(set) {
      queue.add(key, after: .seconds(minReady))
    }
  }

  /// One pass: the current and update revisions, the pods moved one step, the status written,
  /// then old revisions beyond the history limit deleted.
  func update(_ set: JSONValue, pods: [JSONValue], revisions: [JSONValue]) async throws -> SetStatus {
    let sorted = ControllerRevisions.sorted(revisions)
    let (current, update, collisionCount) = try await currentAndUpdateRevisions(set, sorted)
    var status = SetStatus(
      observedGeneration: set.metadata.generation ?? 0, currentRevision: current.metadata.name ?? "",
      updateRevision: update.metadata.name ?? "", collisionCount: collisionCount)
    let failure = await reconcile(set, current: current, update: update, pods: pods, status: &status)
    try await writeStatus(set, &status)
    try await truncateHistory(set, pods: pods, revisions: sorted, live: [current, update])
    if let failure { throw failure }
    return status
  }

  /// The update revision is the current template's (created, or an equal older one renumbered
  /// to the top); the current revision is the one status names, or the update one at first.
  func currentAndUpdateRevisions(_ set: JSONValue, _ revisions: [JSONValue]) async throws -> (
    JSONValue, JSONValue, Int64
  ) {
    var collisionCount = set["status"]?["collisionCount"]?.intValue ?? 0
    let next = (revisions.last.map(ControllerRevisions.number) ?? 0) + 1
    var candidate = ControllerRevisions.make(
      owner: set, ownerType: .statefulSets, revision: next, collisionCount: collisionCount)
    let equal = revisions.filter { ControllerRevisions.equal($0, candidate) }
    let update: JSONValue
    if let latest = revisions.last, let match = equal.last, match.metadata.name == latest.metadata.name {
      update = latest
    } else if let match = equal.last {
      update = try await ControllerRevisions.renumber(match, to: next, client: context.client)
    } else {
      while true {
        do {
          update = try await context.client.create(.controllerRevisions, namespace: set.metadata.namespace, candidate)
          break
        } catch  where error.isAlreadyExists {
          let existing = try await context.client.get(
            .controllerRevisions, namespace: set.metadata.namespace, name: candidate.metadata.name ?? "")
          if ControllerRevisions.equal(existing, candidate) {
            update = existing
            break
          }
          collisionCount += 1
          candidate = ControllerRevisions.make(
            owner: set, ownerType: .statefulSets, revision: next, collisionCount: collisionCount)
        }
      }
    }
    let currentName = set["status"]?["currentRevision"]?.stringValue
    let current = revisions.first { $0.metadata.name == currentName } ?? update
    return (current, update, collisionCount)
  }

  /// Deletes the oldest revisions beyond revisionHistoryLimit that neither the status nor any
  /// pod refers to.
  func truncateHistory(_ set: JSONValue, pods: [JSONValue], revisions: [JSONValue], live: [JSONValue]) async throws {
    var liveNames = Set(live.compactMap(\.metadata.name))
    for pod in pods { if let name = pod.metadata.labels?[ControllerRevisions.hashLabel] { liveNames.insert(name) } }
    let history = revisions.filter { !liveNames.contains($0.metadata.name ?? "") }
    let limit = Int(set["spec"]?["revisionHistoryLimit"]?.intValue ?? 10)
    guard history.count > limit else { return }
    for revision in history.prefix(history.count - limit) {
      do {
        try await context.client.delete(
          .controllerRevisions, namespace: revision.metadata.namespace, name: revision.metadata.name ?? "")
      } catch  where error.isNotFound {}
    }
  }

  /// completeRollingUpdate, then a status write only when something changed.
  func writeStatus(_ set: JSONValue, _ status: inout SetStatus) async throws {
    let replicas = Self.replicas(set)
    if Self.strategy(set) == "RollingUpdate", status.updated == replicas, status.ready == replicas,
      status.replicas == replicas
    {
      status.current = status.updated
      status.currentRevision = status.updateRevision
    }
    var json = set["status"] ?? .object([:])
    status.write(into: &json)
    guard json != set["status"] else { return }
    try await context.client.patch(
      .statefulSets, namespace: set.metadata.namespace, name: set.metadata.name ?? "",
      ["status": DaemonSetController.mergePatch(from: set["status"], to: json)], subresource: "status")
  }

  static func replicas(_ set: JSONValue) -> Int { Int(set["spec"]?["replicas"]?.intValue ?? 1) }
  static func startOrdinal(_ set: JSONValue) -> Int { Int(set["spec"]?["ordinals"]?["start"]?.intValue ?? 0) }
  static func strategy(_ set: JSONValue) -> String {
    set["spec"]?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate"
  }

  /// `web-3` → ("web", 3); nil for names that are not `<parent>-<ordinal>`.
  static func parentAndOrdinal(_ name: String) -> (parent: String, ordinal: Int)? {
    guard let dash = name.lastIndex(of: "-") else { return nil }
    let digits = name[name.index(after: dash)...]
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
      let ordinal = Int32(digits)
    else { return nil }
    return (String(name[..<dash]), Int(ordinal))
  }

  static func ordinal(_ pod: JSONValue) -> Int { parentAndOrdinal(pod.metadata.name ?? "")?.ordinal ?? -1 }

  static func inOrdinalRange(_ pod: JSONValue, _ set: JSONValue) -> Bool {
    let ordinal = ordinal(pod)
    let start = startOrdinal(set)
    return ordinal >= start && ordinal < start + replicas(set)
  }
}

/// A StatefulSet's status as one sync computes it.
struct SetStatus: Sendable {
  var observedGeneration: Int64
  var currentRevision: String
  var updateRevision: String
  var collisionCount: Int64
  var replicas = 0
  var ready = 0
  var available = 0
  var current = 0
  var updated = 0

  /// Writes the fields (zero counts omitted as upstream's omitempty does).
  func write(into status: inout JSONValue) {
    status["observedGeneration"] = observedGeneration == 0 ? nil : .int(observedGeneration)
    status["replicas"] = .int(Int64(replicas))
    status["availableReplicas"] = .int(Int64(available))
    status["collisionCount"] = .int(collisionCount)
    for (field, value) in [("readyReplicas", ready), ("currentReplicas", current), ("updatedReplicas", updated)] {
      status[field] = value == 0 ? nil : .int(Int64(value))
    }
    status["currentRevision"] = currentRevision.isEmpty ? nil : .string(currentRevision)
    status["updateRevision"] = updateRevision.isEmpty ? nil : .string(updateRevision)
  }
}
