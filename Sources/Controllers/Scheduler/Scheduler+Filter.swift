import KubeAPI

/// Filter plugins in upstream's default order; the first plugin that rejects a node gives its reasons.
extension Scheduler {
  /// Upstream's RunFilterPluginsWithNominatedPods: with nominated pods of at least the pod's
  /// priority added to the node first, then (if any were added and it passed) without them.
  func filterWithNominatedPods(_ state: CycleState, _ node: SchedulerNode) -> NodeStatus? {
    if cache.nominatedPods.isEmpty { return filter(state, node) }
    let nominated = cache.nominatedPods(on: node.name, atLeast: state.pod.priority, excluding: state.pod.identity)
    if nominated.isEmpty { return filter(state, node) }
    var crowded = node
    var crowdedState = state
    for pod in nominated {
      var placed = pod
      placed.nodeName = node.name
      crowded.addPod(placed)
      crowdedState.update(with: placed, on: crowded, delta: 1, cache: cache)
    }
    if let status = filter(crowdedState, crowded) { return status }
    return filter(state, node)
  }

  /// Runs every filter plugin on one node; nil when the node fits.
  func filter(_ state: CycleState, _ node: SchedulerNode) -> NodeStatus? {
    Self.filterNode(state.pod, node) ?? filterStateful(state, node)
  }

  /// The plugins that need only the pod and the node.
  static func filterNode(_ pod: SchedulerPod, _ node: SchedulerNode) -> NodeStatus? {
    if node.unschedulable
      && !pod.tolerations.tolerate(Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule"))
    {
      return .unresolvable("NodeUnschedulable", "node(s) were unschedulable")
    }
    if !pod.nodeName.isEmpty && pod.nodeName != node.name {
      return .unresolvable("NodeName", "node(s) didn't match the requested node name")
    }
    if let taint = pod.tolerations.firstUntolerated(node.taints) {
      return .unresolvable("TaintToleration", "node(s) had untolerated taint {\(taint.key): \(taint.value)}")
    }
    if !pod.requiredNodeAffinity.matches(labels: node.labels, name: node.name) {
      return .unresolvable("NodeAffinity", "node(s) didn't match Pod's node affinity/selector")
    }
    if pod.hostPorts.contains(where: { $0.conflicts(with: node.usedPorts) }) {
      return .unschedulable("NodePorts", "node(s) didn't have free ports for the requested pod ports")
    }
    let insufficient = Self.insufficientResources(pod, node)
    if !insufficient.isEmpty {
      return NodeStatus(code: .unschedulable, reasons: insufficient, plugin: "NodeResourcesFit")
    }
    return nil
  }

  /// The plugins with PreFilter state, in order: VolumeBinding, PodTopologySpread, InterPodAffinity.
  func filterStateful(_ state: CycleState, _ node: SchedulerNode) -> NodeStatus? {
    if let status = filterVolumes(state, node) { return status }
    if let spread = state.spread, let status = spread.filter(state.pod, node) { return status }
    if let affinity = state.affinity, let status = affinity.filter(state.pod, node) { return status }
    return nil
  }

  /// NodeResourcesFit: "Too many pods" and "Insufficient <resource>" against `status.allocatable`.
  static func insufficientResources(_ pod: SchedulerPod, _ node: SchedulerNode) -> [String] {
    var reasons: [String] = []
    if Int64(node.pods.count) + 1 > node.allocatable.allowedPodNumber { reasons.append("Too many pods") }
    let want = pod.requests
    if want.isZero { return reasons }
    let have = node.allocatable
    let used = node.requested
    if want.milliCPU > 0 && want.milliCPU > have.milliCPU - used.milliCPU { reasons.append("Insufficient cpu") }
    if want.memory > 0 && want.memory > have.memory - used.memory { reasons.append("Insufficient memory") }
    if want.ephemeralStorage > 0 && want.ephemeralStorage > have.ephemeralStorage - used.ephemeralStorage {
      reasons.append("Insufficient ephemeral-storage")
    }
    for (name, amount) in want.scalar.sorted(by: { $0.key < $1.key }) where amount != 0 {
      if amount > have.scalar[name, default: 0] - used.scalar[name, default: 0] {
        reasons.append("Insufficient \(name)")
      }
    }
    return reasons
  }
}

extension CycleState {
  /// Upstream's PreFilterExtensions AddPod/RemovePod: keeps the spread and affinity counts in
  /// step when a pod is added to (delta 1) or removed from (delta -1) `node`.
  mutating func update(with other: SchedulerPod, on node: SchedulerNode, delta: Int, cache: SchedulerCache) {
    spread?.update(with: other, on: node, incoming: pod, delta: delta)
    affinity?.update(with: other, on: node, incoming: pod, delta: delta, cache: cache)
  }
}
