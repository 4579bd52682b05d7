import KubeAPI
import KubeClient
import Synchronization

/// Watches node heartbeats (the kubelet's Lease in kube-node-lease and its Ready condition).
/// A node silent for the grace period (40 s) gets Ready=Unknown, its pods lose Ready, and it is
/// tainted `node.kubernetes.io/unreachable` (NoSchedule and NoExecute); a node reporting
/// Ready=False gets the `not-ready` taints instead. Silence is judged by when this process saw
/// the heartbeat change, never by the kubelet's clock. Taint-based eviction is
/// ``TaintEvictionController``'s job.
public final class NodeLifecycleController: Controller {
  public let name = "nodelifecycle"
  let context: ControllerContext
  let queue = WorkQueue()
  /// node → (the heartbeat last seen, when this process saw it change).
  private let heartbeats = Mutex<[String: (beat: String, seen: ContinuousClock.Instant)]>([:])

  static let nodeIndex = "nodeName"
  static let unreachable = "node.kubernetes.io/unreachable"
  static let notReady = "node.kubernetes.io/not-ready"
  static let unschedulable = "node.kubernetes.io/unschedulable"

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let nodes = context.informers.informer(.nodes)
    let leases = context.informers.informer(.leases)
    let pods = context.informers.informer(.pods)
    pods.cache.addIndex(Self.nodeIndex, Self.byNode)
    nodes.onEvent { [queue, self] event in
      let node = event.object
      let name = node.metadata.name ?? ""
      if case .deleted = event {
        self.heartbeats.withLock { _ = $0.removeValue(forKey: name) }
        return
      }
      self.observe(
        name, beat: "status:" + (PodStatus.condition(node, "Ready")?["lastHeartbeatTime"]?.stringValue ?? ""))
      queue.add(name)
    }
    leases.onEvent { [queue, self] event in
      let lease = event.object
      guard lease.metadata.namespace == "kube-node-lease", let name = lease.metadata.name else { return }
      if case .deleted = event { return }
      self.observe(name, beat: "lease:" + (lease["spec"]?["renewTime"]?.stringValue ?? ""))
      queue.add(name)
    }
    await context.informers.waitForSync()
    await withDiscardingTaskGroup { group in
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: self.context.settings.nodeMonitorPeriod)
          for node in self.context.informers.cache(.nodes).list() { self.queue.add(node.metadata.name ?? "") }
        }
      }
      group.addTask { await self.queue.run(workers: self.context.settings.workers) { try await self.sync($0) } }
    }
  }

  static let byNode: ObjectCache.IndexFunction = { pod in
    pod["spec"]?["nodeName"]?.stringValue.map { [$0] } ?? []
  }

  /// Records a heartbeat value; a new value (lease renewal or status heartbeat) resets silence.
  private func observe(_ node: String, beat: String) {
    heartbeats.withLock { beats in
      let key = beat.hasPrefix("lease:") ? node + "|lease" : node + "|status"
      if beats[key]?.beat != beat { beats[key] = (beat, .now) }
    }
  }

  /// How long since either heartbeat of the node last changed.
  private func silence(_ node: String) -> Duration {
    heartbeats.withLock { beats in
      let latest = [beats[node + "|lease"]?.seen, beats[node + "|status"]?.seen].compactMap { $0 }.max()
      guard let latest else {
        beats[node + "|status"] = ("", .now)
        return .zero
      }
      return ContinuousClock.now - latest
    }
  }

  func sync(_ name: String) async throws {
    guard var node = context.informers.cache(.nodes).get(name) else { return }
    let silent = silence(name)
    let ready = PodStatus.condition(node, "Ready")?["status"]?.stringValue
    if silent > context.settings.nodeMonitorGracePeriod, ready != "Unknown" {
      node = try await markUnknown(node)
      try await markPodsNotReady(on: name)
      context.recorder.record(node, reason: "NodeNotReady", message: "Node \(name) status is now: NodeNotReady")
    } else if silent <= context.settings.nodeMonitorGracePeriod {
      queue.add(name, after: context.settings.nodeMonitorGracePeriod - silent + .milliseconds(100))
    }
    try await syncTaints(node)
  }

  private func markUnknown(_ node: JSONValue) async throws -> JSONValue {
    let now = context.now
    var updated = node
    var conditions = node["status"]?["conditions"]?.arrayValue ?? []
    for type in ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] {
      let index = conditions.firstIndex { $0["type"]?.stringValue == type }
      var condition = index.map { conditions[$0] } ?? ["type": .string(type)]
      condition["status"] = "Unknown"
      condition["reason"] = "NodeStatusUnknown"
      condition["message"] = "Kubelet stopped posting node status."
      condition["lastTransitionTime"] = .string(now.rfc3339)
      if let index { conditions[index] = condition } else { conditions.append(condition) }
    }
    updated["status"]?["conditions"] = .array(conditions)
    return try await context.client.update(.nodes, updated, subresource: "status")
  }

  private func markPodsNotReady(on node: String) async throws {
    let now = context.now
    for pod in context.informers.cache(.pods).byIndex(Self.nodeIndex, node) where PodStatus.isReady(pod) {
      var updated = pod
      updated.setCondition("Ready", status: "False", reason: "", message: "", now: now)
      if var conditions = updated["status"]?["conditions"]?.arrayValue,
        let index = conditions.firstIndex(where: { $0["type"]?.stringValue == "Ready" })
      {
        conditions[index]["reason"] = nil
        conditions[index]["message"] = nil
        updated["status"]?["conditions"] = .array(conditions)
      }
      do {
        try await context.client.update(.pods, updated, subresource: "status")
      } catch  where error.isNotFound || error.isConflict {}
    }
  }

  /// The taints the node's state calls for, keeping every other taint as it is.
  private func syncTaints(_ node: JSONValue) async throws {
    let ready = PodStatus.condition(node, "Ready")?["status"]?.stringValue ?? "Unknown"
    var wanted: [(key: String, effect: String)] = []
    switch ready {
    case "False": wanted = [(Self.notReady, "NoSchedule"), (Self.notReady, "NoExecute")]
    case "Unknown": wanted = [(Self.unreachable, "NoSchedule"), (Self.unreachable, "NoExecute")]
    default: break
    }
    if node["spec"]?["unschedulable"]?.boolValue == true { wanted.append((Self.unschedulable, "NoSchedule")) }
    let managed: Set<String> = [Self.notReady, Self.unreachable, Self.unschedulable]
    let current = node["spec"]?["taints"]?.arrayValue ?? []
    var taints = current.filter { taint in
      let key = taint["key"]?.stringValue ?? ""
      return !managed.contains(key) || wanted.contains { $0.key == key && $0.effect == taint["effect"]?.stringValue }
    }
    for (key, effect) in wanted
    where !taints.contains(where: { $0["key"]?.stringValue == key && $0["effect"]?.stringValue == effect }) {
      var taint: JSONValue = ["key": .string(key), "effect": .string(effect)]
      if effect == "NoExecute" { taint["timeAdded"] = .string(context.now.rfc3339) }
      taints.append(taint)
    }
    guard taints != current else { return }
    var updated = node
    updated["spec"]?["taints"] = taints.isEmpty ? nil : .array(taints)
    try await context.client.update(.nodes, updated)
  }
}
