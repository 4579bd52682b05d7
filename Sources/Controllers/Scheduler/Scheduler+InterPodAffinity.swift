import KubeAPI

/// InterPodAffinity's PreFilter state: counts of matching pods per topology domain.
struct AffinityFilterState: Sendable {
  /// Domains where an existing pod's required anti-affinity selects the incoming pod.
  var existingAntiAffinityCounts: [TopologyPair: Int] = [:]
  /// Domains holding pods that match all of the incoming pod's required affinity terms.
  var affinityCounts: [TopologyPair: Int] = [:]
  /// Domains holding pods the incoming pod's required anti-affinity selects.
  var antiAffinityCounts: [TopologyPair: Int] = [:]
  /// Whether the incoming pod matches all of its own required affinity terms.
  var matchesOwnAffinity = false

  func filter(_ pod: SchedulerPod, _ node: SchedulerNode) -> NodeStatus? {
    if !satisfiesAffinity(pod, node) {
      return .unresolvable("InterPodAffinity", "node(s) didn't match pod affinity rules")
    }
    for term in pod.requiredAntiAffinity {
      if let value = node.labels[term.topologyKey],
        antiAffinityCounts[TopologyPair(key: term.topologyKey, value: value), default: 0] > 0
      {
        return .unschedulable("InterPodAffinity", "node(s) didn't match pod anti-affinity rules")
      }
    }
    if !existingAntiAffinityCounts.isEmpty {
      for (key, value) in node.labels
      where existingAntiAffinityCounts[TopologyPair(key: key, value: value), default: 0] > 0 {
        return .unschedulable("InterPodAffinity", "node(s) didn't satisfy existing pods anti-affinity rules")
      }
    }
    return nil
  }

  /// Every required affinity term's key must be on the node with a matching pod in that domain;
  /// a pod that is the first of a group matching its own terms passes when no pod matches anywhere.
  private func satisfiesAffinity(_ pod: SchedulerPod, _ node: SchedulerNode) -> Bool {
    var podsExist = true
    for term in pod.requiredAffinity {
      guard let value = node.labels[term.topologyKey] else { return false }
      if affinityCounts[TopologyPair(key: term.topologyKey, value: value), default: 0] <= 0 { podsExist = false }
    }
    if podsExist { return true }
    return affinityCounts.isEmpty && matchesOwnAffinity
  }

  static func matchesAll(
    _ terms: [AffinityTerm], _ pod: SchedulerPod, namespaceLabels: (String) -> [String: String]
  ) -> Bool {
    !terms.isEmpty && terms.allSatisfy { $0.matches(pod, namespaceLabels: namespaceLabels) }
  }

  mutating func update(
    with other: SchedulerPod, on node: SchedulerNode, incoming: SchedulerPod, delta: Int, cache: SchedulerCache
  ) {
    let labels = { (namespace: String) in cache.labels(ofNamespace: namespace) }
    for term in other.requiredAntiAffinity where term.matches(incoming, namespaceLabels: labels) {
      Self.bump(&existingAntiAffinityCounts, term, node, delta)
    }
    if Self.matchesAll(incoming.requiredAffinity, other, namespaceLabels: labels) {
      for term in incoming.requiredAffinity { Self.bump(&affinityCounts, term, node, delta) }
    }
    for term in incoming.requiredAntiAffinity where term.matches(other, namespaceLabels: labels) {
      Self.bump(&antiAffinityCounts, term, node, delta)
    }
  }

  static func bump(_ counts: inout [TopologyPair: Int], _ term: AffinityTerm, _ node: SchedulerNode, _ delta: Int) {
    guard let value = node.labels[term.topologyKey] else { return }
    let pair = TopologyPair(key: term.topologyKey, value: value)
    let count = counts[pair, default: 0] + delta
    counts[pair] = count == 0 ? nil : count
  }
}

extension Scheduler {
  /// InterPodAffinity PreFilter; nil (skip) when neither the pod nor any existing pod has required terms.
  func preFilterAffinity(_ pod: SchedulerPod) -> AffinityFilterState? {
    let incomingTerms = !pod.requiredAffinity.isEmpty || !pod.requiredAntiAffinity.isEmpty
    if !incomingTerms && cache.podsWithRequiredAntiAffinity == 0 { return nil }
    var state = AffinityFilterState()
    let labels = { (namespace: String) in cache.labels(ofNamespace: namespace) }
    state.matchesOwnAffinity = AffinityFilterState.matchesAll(pod.requiredAffinity, pod, namespaceLabels: labels)
    for node in cache.nodes where node.node != nil {
      if node.podsWithRequiredAntiAffinity > 0 {
        for existing in node.pods {
          for term in existing.requiredAntiAffinity where term.matches(pod, namespaceLabels: labels) {
            AffinityFilterState.bump(&state.existingAntiAffinityCounts, term, node, 1)
          }
        }
      }
      guard incomingTerms else { continue }
      for existing in node.pods {
        if AffinityFilterState.matchesAll(pod.requiredAffinity, existing, namespaceLabels: labels) {
          for term in pod.requiredAffinity { AffinityFilterState.bump(&state.affinityCounts, term, node, 1) }
        }
        for term in pod.requiredAntiAffinity where term.matches(existing, namespaceLabels: labels) {
          AffinityFilterState.bump(&state.antiAffinityCounts, term, node, 1)
        }
      }
    }
    return state
  }

  /// InterPodAffinity Score: preferred (anti-)affinity of the pod toward existing pods and of
  /// existing pods toward it (their required affinity weighs 1), summed per topology domain and
  /// scaled to 0…100 over the feasible nodes. nil when nothing applies.
  func scoreAffinity(_ pod: SchedulerPod, _ feasible: [Int]) -> [Int64]? {
    let hasPreferred = !pod.preferredAffinity.isEmpty || !pod.preferredAntiAffinity.isEmpty
    if !hasPreferred && cache.podsWithAffinity == 0 { return nil }
    let labels = { (namespace: String) in cache.labels(ofNamespace: namespace) }
    var domainScores: [String: [String: Int64]] = [:]
    func add(_ term: AffinityTerm, _ node: SchedulerNode, _ weight: Int64) {
      guard let value = node.labels[term.topologyKey] else { return }
      domainScores[term.topologyKey, default: [:]][value, default: 0] += weight
    }
    for node in cache.nodes where node.node != nil && (hasPreferred || node.podsWithAffinity > 0) {
      for existing in node.pods where hasPreferred || existing.hasAffinityTerms {
        for term in pod.preferredAffinity where term.matches(existing, namespaceLabels: labels) {
          add(term, node, term.weight)
        }
        for term in pod.preferredAntiAffinity where term.matches(existing, namespaceLabels: labels) {
          add(term, node, -term.weight)
        }
        for term in existing.requiredAffinity where term.matches(pod, namespaceLabels: labels) { add(term, node, 1) }
        for term in existing.preferredAffinity where term.matches(pod, namespaceLabels: labels) {
          add(term, node, term.weight)
        }
        for term in existing.preferredAntiAffinity where term.matches(pod, namespaceLabels: labels) {
          add(term, node, -term.weight)
        }
      }
    }
    if domainScores.isEmpty { return nil }
    var scores = feasible.map { index -> Int64 in
      let node = cache.nodes[index]
      var total: Int64 = 0
      for (key, values) in domainScores {
        if let value = node.labels[key], let score = values[value] { total += score }
      }
      return total
    }
    let minimum = scores.min() ?? 0
    let spread = (scores.max() ?? 0) - minimum
    for i in scores.indices {
      scores[i] = spread > 0 ? Int64(100 * (Double(scores[i] - minimum) / Double(spread))) : 0
    }
    return scores
  }
}
