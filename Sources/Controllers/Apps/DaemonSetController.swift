import KubeAPI
import KubeClient

/// Runs one pod of each DaemonSet on every node it fits, as kube-controller-manager's
/// daemonset controller: pods are pinned to their node by required node affinity (the scheduler
/// binds them), templates are versioned as ControllerRevisions, and template changes roll out
/// with RollingUpdate (maxUnavailable / maxSurge) or wait for manual deletes (OnDelete).
public struct DaemonSetController: Controller {
  public let name = "daemonset"
  let context: ControllerContext
  let queue = WorkQueue()
  let expectations = PodExpectations()
  let failedPods = FailedPodBackoff()

  /// Most pods created or deleted in one sync (upstream's BurstReplicas).
  static let burstReplicas = 250
  static let templateGenerationLabel = "pod-template-generation"
  static let templateGenerationAnnotation = "deprecated.daemonset.template.generation"

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let informers = context.informers
    let sets = informers.informer(.daemonSets)
    let pods = informers.informer(.pods)
    let nodes = informers.informer(.nodes)
    let revisions = informers.informer(.controllerRevisions)
    pods.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    revisions.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    sets.onEvent { [queue, expectations] event in
      let key = event.object.metadata.key
      if case .deleted = event { expectations.forget(key) }
      queue.add(key)
    }
    pods.onEvent { event in podChanged(event) }
    nodes.onEvent { event in
      if case .updated(let old, let new) = event, old != new, !Self.placementChanged(old, new) { return }
      for set in informers.cache(.daemonSets).list() { queue.add(set.metadata.key) }
    }
    revisions.onEvent { event in
      if let set = ControllerRefs.owner(of: event.object, type: .daemonSets, cache: sets.cache) {
        queue.add(set.metadata.key)
      }
    }
    await informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  /// Node changes that can change where daemon pods belong: labels, taints, spec, conditions.
  static func placementChanged(_ old: JSONValue, _ new: JSONValue) -> Bool {
    old.metadata.labels != new.metadata.labels || old["spec"] != new["spec"]
      || old["status"]?["conditions"]?.arrayValue?.map { $0["status"] }
        != new["status"]?["conditions"]?.arrayValue?.map { $0["status"] }
  }

  /// Pod events count towards expectations and wake the owning DaemonSet; a new orphan wakes
  /// every DaemonSet that could adopt it.
  func podChanged(_ event: InformerEvent) {
    let sets = context.informers.cache(.daemonSets)
    let pod = event.object
    let podKey = pod.metadata.key
    if case .updated(let old, _) = event, old.metadata.controllerReference != pod.metadata.controllerReference,
      let previous = ControllerRefs.owner(of: old, type: .daemonSets, cache: sets)
    {
      queue.add(previous.metadata.key)
    }
    guard let set = ControllerRefs.owner(of: pod, type: .daemonSets, cache: sets) else {
      guard case .added = event, pod.metadata.controllerReference == nil else { return }
      for set in sets.list(namespace: pod.metadata.namespace ?? "")
      where (try? LabelSelector(object: set["spec"]?["selector"]))?.matches(pod) == true {
        queue.add(set.metadata.key)
      }
      return
    }
    let key = set.metadata.key
    switch event {
    case .added:
      if pod.metadata.isBeingDeleted {
        expectations.deletionObserved(key, pod: podKey)
      } else {
        expectations.creationObserved(key)
      }
    case .updated(let old, _):
      if pod.metadata.isBeingDeleted && !old.metadata.isBeingDeleted {
        expectations.deletionObserved(key, pod: podKey)
      }
    case .deleted:
      expectations.deletionObserved(key, pod: podKey)
    }
    queue.add(key)
  }

  func sync(_ key: String) async throws {
    guard var set = context.informers.cache(.daemonSets).get(key) else {
      expectations.forget(key)
      return
    }
    set.apiVersion = "apps/v1"
    set.kind = "DaemonSet"
    let selector: LabelSelector
    do {
      selector = try LabelSelector(object: set["spec"]?["selector"])
    } catch {
      context.recorder.record(set, .warning, reason: "InvalidSelector", message: "invalid selector: \(error)")
      return
    }
    guard !set.metadata.isBeingDeleted else { return }
    let nodes = context.informers.cache(.nodes).list()
    let (current, old) = try await constructHistory(set, selector: selector)
    let hash = current.metadata.labels?[ControllerRevisions.hashLabel] ?? ""
    let pods = try await ControllerRefs.claimPods(
      for: set, ownerType: .daemonSets, selector: selector, context: context)
    guard expectations.satisfied(key) else {
      try await updateStatus(set, nodes: nodes, pods: pods, hash: hash, observed: false)
      return
    }
    var failure: (any Error)?
    do {
      try await manage(set, nodes: nodes, pods: pods, hash: hash)
      if expectations.satisfied(key), set["spec"]?["updateStrategy"]?["type"]?.stringValue == "RollingUpdate" {
        try await rollingUpdate(set, nodes: nodes, pods: pods, hash: hash)
      }
      try await cleanupHistory(set, old: old, pods: pods)
    } catch {
      failure = error
    }
    try await updateStatus(set, nodes: nodes, pods: pods, hash: hash, observed: true)
    if let failure { throw failure }
  }

  /// Daemon pods by the node they are for; pods that finished and are being deleted are left
  /// out unless asked for.
  static func podsByNode(_ pods: [JSONValue], includeDeletedTerminal: Bool = false) -> [String: [JSONValue]] {
    var byNode: [String: [JSONValue]] = [:]
    for pod in pods {
      if !includeDeletedTerminal && PodStatus.isTerminal(pod) && pod.metadata.isBeingDeleted { continue }
      guard let node = DaemonPlacement.targetNode(of: pod) else { continue }
      byNode[node, default: []].append(pod)
    }
    return byNode
  }

  /// Bound pods first, then oldest first (upstream podByCreationTimestampAndPhase).
  static func oldestFirst(_ pods: [JSONValue]) -> [JSONValue] {
    pods.sorted { a, b in
      let boundA = !(a["spec"]?["nodeName"]?.stringValue ?? "").isEmpty
      let boundB = !(b["spec"]?["nodeName"]?.stringValue ?? "").isEmpty
      if boundA != boundB { return boundA }
      let (ta, tb) = (a.metadata.creationTime, b.metadata.creationTime)
      if ta != tb, let ta, let tb { return ta < tb }
      return (a.metadata.name ?? "") < (b.metadata.name ?? "")
    }
  }

  /// Whether the pod runs the current template: the revision hash label (or the legacy
  /// template generation label) matches.
  static func isUpdated(_ pod: JSONValue, hash: String, set: JSONValue) -> Bool {
    let labels = pod.metadata.labels ?? [:]
    if !hash.isEmpty && labels[ControllerRevisions.hashLabel] == hash { return true }
    if let generation = set.metadata.annotations?[templateGenerationAnnotation] {
      return labels[templateGenerationLabel] == generation
    }
    return false
  }

  static func minReadySeconds(_ set: JSONValue) -> Int64 { set["spec"]?["minReadySeconds"]?.intValue ?? 0 }

  /// Writes the counts `kubectl rollout status` and `kubectl get ds` read.
  func updateStatus(_ set: JSONValue, nodes: [JSONValue], pods: [JSONValue], hash: String, observed: Bool)
    async throws
  {
    let byNode = Self.podsByNode(pods)
    let now = context.now
    let minReady = Self.minReadySeconds(set)
    var desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0
    for node in nodes {
      let verdict = DaemonPlacement.verdict(node: node, daemonSet: set)
      let onNode = byNode[node.metadata.name ?? ""] ?? []
      guard verdict.shouldRun else {
        if !onNode.isEmpty { misscheduled += 1 }
        continue
      }
      desired += 1
      guard let pod = Self.oldestFirst(onNode).first else { continue }
      current += 1
      if PodStatus.isReady(pod) {
        ready += 1
        if PodStatus.isAvailable(pod, minReadySeconds: minReady, now: now) { available += 1 }
      }
      if Self.isUpdated(pod, hash: hash, set: set) { updated += 1 }
    }
    var status = set["status"] ?? .object([:])
    let generation = set.metadata.generation ?? 0
    let counts: [(String, Int)] = [
      ("desiredNumberScheduled", desired), ("currentNumberScheduled", current),
      ("numberMisscheduled", misscheduled), ("numberReady", ready), ("updatedNumberScheduled", updated),
      ("numberAvailable", available), ("numberUnavailable", desired - available),
    ]
    let omitEmpty: Set = ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"]
    for (field, value) in counts { status[field] = value == 0 && omitEmpty.contains(field) ? nil : .int(Int64(value)) }
    if observed { status["observedGeneration"] = .int(generation) }
    if status != set["status"] {
      try await context.client.patch(
        .daemonSets, namespace: set.metadata.namespace, name: set.metadata.name ?? "",
        ["status": Self.mergePatch(from: set["status"], to: status)], subresource: "status")
    }
    if minReady > 0 && ready != available { queue.add(set.metadata.key, after: .seconds(minReady)) }
  }

  /// A merge patch turning `old` into `new` at the top level of an object (removed keys → null).
  static func mergePatch(from old: JSONValue?, to new: JSONValue) -> JSONValue {
    var patch = new.objectValue ?? [:]
    for key in (old?.objectValue ?? [:]).keys where patch[key] == nil { patch[key] = .null }
    return .object(patch)
  }
}
