import Foundation
import KubeAPI

/// PodTopologySpread's PreFilter state for DoNotSchedule constraints: matching pods per domain.
struct SpreadFilterState: Sendable {
  var constraints: [TopologySpreadConstraint]
  /// Per constraint: topology value → matching pods in that domain.
  var matchNum: [[String: Int]]
  /// Per constraint: the smallest domain count (Int32.max without domains, as upstream).
  var minMatch: [Int]

  init(constraints: [TopologySpreadConstraint]) {
    self.constraints = constraints
    matchNum = Array(repeating: [:], count: constraints.count)
    minMatch = Array(repeating: Int(Int32.max), count: constraints.count)
  }

  mutating func recomputeMinimum(_ i: Int) { minMatch[i] = matchNum[i].values.min() ?? Int(Int32.max) }

  static let reason = "node(s) didn't match pod topology spread constraints"

  /// Upstream Filter: existing matches + self match − global minimum must not exceed maxSkew.
  func filter(_ pod: SchedulerPod, _ node: SchedulerNode) -> NodeStatus? {
    for (i, constraint) in constraints.enumerated() {
      guard let value = node.labels[constraint.topologyKey] else {
        return .unresolvable("PodTopologySpread", Self.reason + " (missing required label)")
      }
      var minimum = minMatch[i]
      if Int64(matchNum[i].count) < constraint.minDomains { minimum = 0 }
      let selfMatch = constraint.selector.matches(pod.labels) ? 1 : 0
      let skew = matchNum[i][value, default: 0] + selfMatch - minimum
      if Int64(skew) > constraint.maxSkew { return .unschedulable("PodTopologySpread", Self.reason) }
    }
    return nil
  }

  /// Upstream's updateWithPod (PreFilter AddPod/RemovePod extension).
  mutating func update(with other: SchedulerPod, on node: SchedulerNode, incoming: SchedulerPod, delta: Int) {
    guard other.namespace == incoming.namespace, node.node != nil,
      node.hasAllLabels(constraints.map(\.topologyKey))
    else { return }
    for (i, constraint) in constraints.enumerated()
    where constraint.includes(node: node, pod: incoming) && constraint.selector.matches(other.labels) {
      let value = node.labels[constraint.topologyKey] ?? ""
      matchNum[i][value, default: 0] += delta
      recomputeMinimum(i)
    }
  }
}

extension Scheduler {
  static let hostnameLabel = "kubernetes.io/hostname"
  static let zoneLabel = "topology.kubernetes.io/zone"

  /// PodTopologySpread PreFilter: counts matching pods per domain over nodes that carry every
  /// constraint's key and pass its node inclusion policies. nil when there is nothing to enforce.
  func preFilterSpread(_ pod: SchedulerPod) throws(KubeAPIError) -> SpreadFilterState? {
    let constraints = try pod.spreadConstraints(scheduleAnyway: false)
    if constraints.isEmpty { return nil }
    var state = SpreadFilterState(constraints: constraints)
    let keys = constraints.map(\.topologyKey)
    for node in cache.nodes where node.node != nil && node.hasAllLabels(keys) {
      for (i, constraint) in constraints.enumerated() where constraint.includes(node: node, pod: pod) {
        let value = node.labels[constraint.topologyKey] ?? ""
        state.matchNum[i][value, default: 0] += node.countPods(matching: constraint.selector, namespace: pod.namespace)
      }
    }
    for i in constraints.indices { state.recomputeMinimum(i) }
    return state
  }

  /// PodTopologySpread Score for ScheduleAnyway constraints, or the system defaults (hostname
  /// maxSkew 3, zone maxSkew 5) for pods without constraints that a Service or controller selects.
  /// Returns normalised scores (0…100) per feasible node, nil when the plugin is skipped.
  mutating func scoreSpread(_ pod: SchedulerPod, _ feasible: [Int]) -> [Int64]? {
    var constraints = (try? pod.spreadConstraints(scheduleAnyway: true)) ?? []
    var requireAllTopologies = true
    if pod.spreadConstraints.isEmpty {
      let selector = cache.defaultSpreadSelector(for: pod)
      if selector.isEmpty { return nil }
      constraints = [
        TopologySpreadConstraint(maxSkew: 3, topologyKey: Self.hostnameLabel, selector: selector, scheduleAnyway: true),
        TopologySpreadConstraint(maxSkew: 5, topologyKey: Self.zoneLabel, selector: selector, scheduleAnyway: true),
      ]
      requireAllTopologies = false
    }
    if constraints.isEmpty { return nil }
    let keys = constraints.map(\.topologyKey)

    var ignored = Set<Int>()
    var pairCounts: [TopologyPair: Int] = [:]
    var domains = Array(repeating: 0, count: constraints.count)
    for (position, index) in feasible.enumerated() {
      let node = cache.nodes[index]
      if requireAllTopologies && !node.hasAllLabels(keys) {
        ignored.insert(position)
        continue
      }
      for (i, constraint) in constraints.enumerated() where constraint.topologyKey != Self.hostnameLabel {
        let pair = TopologyPair(key: constraint.topologyKey, value: node.labels[constraint.topologyKey] ?? "")
        if pairCounts[pair] == nil {
          pairCounts[pair] = 0
          domains[i] += 1
        }
      }
    }
    let weights = constraints.enumerated().map { i, constraint in
      let size = constraint.topologyKey == Self.hostnameLabel ? feasible.count - ignored.count : domains[i]
      return log(Double(size + 2))
    }
    if !pairCounts.isEmpty {
      for node in cache.nodes where node.node != nil {
        if requireAllTopologies && !node.hasAllLabels(keys) { continue }
        for constraint in constraints where constraint.includes(node: node, pod: pod) {
          let pair = TopologyPair(key: constraint.topologyKey, value: node.labels[constraint.topologyKey] ?? "")
          guard let count = pairCounts[pair] else { continue }
          pairCounts[pair] = count + matchingPods.count(on: node, matching: constraint.selector, in: pod.namespace)
        }
      }
    }

    var scores = Array(repeating: Int64(0), count: feasible.count)
    for (position, index) in feasible.enumerated() where !ignored.contains(position) {
      let node = cache.nodes[index]
      var score = 0.0
      for (i, constraint) in constraints.enumerated() {
        guard let value = node.labels[constraint.topologyKey] else { continue }
        let count =
          constraint.topologyKey == Self.hostnameLabel
          ? matchingPods.count(on: node, matching: constraint.selector, in: pod.namespace)
          : pairCounts[TopologyPair(key: constraint.topologyKey, value: value)] ?? 0
        score += Double(count) * weights[i] + Double(constraint.maxSkew - 1)
      }
      scores[position] = Int64(score.rounded())
    }
    // Fewer matching pods is better: invert against the range, ignored nodes score 0.
    var minScore = Int64.max
    var maxScore: Int64 = 0
    for (position, score) in scores.enumerated() where !ignored.contains(position) {
      minScore = min(minScore, score)
      maxScore = max(maxScore, score)
    }
    for position in scores.indices {
      if ignored.contains(position) {
        scores[position] = 0
      } else if maxScore == 0 {
        scores[position] = 100
      } else {
        scores[position] = 100 * (maxScore + minScore - scores[position]) / maxScore
      }
    }
    return scores
  }
}

/// A topology domain: a label key and one of its values.
struct TopologyPair: Hashable, Sendable {
  var key: String
  var value: String
}
