import KubeAPI

/// Pods matching a label selector on each node, remembered across scheduling decisions.
/// Topology spreading asks for every node on every decision; pods of one ReplicaSet share a
/// selector, and between two decisions only the chosen node's pods changed, which its
/// `podsVersion` (unique across nodes) tells. Matching every pod of every node per decision
/// was the scheduler's largest cost in a 3,000-pod burst.
struct MatchingPodCounts: Sendable {
  private struct Key: Hashable {
    var selector: LabelSelector
    var namespace: String
  }

  /// Per selector: node name → the count and the node's `podsVersion` it was taken at.
  private var counts: [Key: [String: (version: UInt64, count: Int)]] = [:]
  /// Selectors remembered at most; past that the memo starts over.
  static let capacity = 1024

  mutating func count(on node: SchedulerNode, matching selector: LabelSelector, in namespace: String) -> Int {
    let key = Key(selector: selector, namespace: namespace)
    if let cached = counts[key]?[node.name], cached.version == node.podsVersion { return cached.count }
    let count = node.countPods(matching: selector, namespace: namespace)
    if counts[key] == nil && counts.count >= Self.capacity { counts.removeAll(keepingCapacity: true) }
    counts[key, default: [:]][node.name] = (node.podsVersion, count)
    return count
  }
}
