import KubeAPI

/// Pods nominated to a node by preemption (upstream's PodNominator): while they wait for their
/// victims to go, pods of lower or equal priority are filtered as if the nominated ones were there.
extension SchedulerCache {
  /// Records that `pod` waits for `node` (its `status.nominatedNodeName`).
  public mutating func nominate(pod: JSONValue, node: String) {
    let parsed = SchedulerPod(pod)
    clearNomination(identity: parsed.identity)
    nominatedPods[node, default: [:]][parsed.identity] = parsed
    nominatedNodes[parsed.identity] = node
  }

  /// Forgets a nomination (the pod was bound, deleted, or its nomination cleared).
  public mutating func clearNomination(pod: JSONValue) { clearNomination(identity: SchedulerPod(pod).identity) }

  public func nominatedNode(ofPod pod: JSONValue) -> String? { nominatedNodes[SchedulerPod(pod).identity] }

  mutating func clearNomination(identity: String) {
    guard let node = nominatedNodes.removeValue(forKey: identity) else { return }
    nominatedPods[node]?[identity] = nil
    if nominatedPods[node]?.isEmpty == true { nominatedPods[node] = nil }
  }

  /// Nominated pods on `node` with at least `priority`, other than the pod being scheduled.
  func nominatedPods(on node: String, atLeast priority: Int64, excluding identity: String) -> [SchedulerPod] {
    guard let pods = nominatedPods[node] else { return [] }
    return pods.values.filter { $0.priority >= priority && $0.identity != identity }
      .sorted { $0.identity < $1.identity }
  }
}
