import KubeAPI

/// DefaultPreemption (PostFilter): find a node where evicting lower-priority pods lets the pod fit,
/// keeping as many of them as possible, and pick the node whose victims matter least.
extension Scheduler {
  static let notHelpful = "Preemption is not helpful for scheduling"

  func postFilter(_ state: CycleState, allNodes: [Int], fitError: inout FitError) {
    let pod = state.pod
    if let refusal = preemptionRefusal(pod, fitError: fitError) {
      fitError.postFilterMessage = "preemption: " + refusal
      return
    }
    var dryRun = FitError(numAllNodes: allNodes.count)
    dryRun.absentStatus = .unresolvable("DefaultPreemption", Self.notHelpful)
    var candidates: [Candidate] = []
    for index in allNodes {
      let node = cache.nodes[index]
      if let status = fitError.status(of: node.name), status.code == .unresolvable {
        dryRun.nodeStatuses[node.name] = .unresolvable("DefaultPreemption", Self.notHelpful)
        continue
      }
      switch selectVictims(state, node) {
      case .success(let (victims, violations)) where !victims.isEmpty:
        candidates.append(Candidate(index: index, victims: victims, violations: violations))
      case .success:
        dryRun.nodeStatuses[node.name] = .unschedulable(
          "DefaultPreemption", "expected at least one victim pod on node \"\(node.name)\"")
      case .failure(let status):
        dryRun.nodeStatuses[node.name] = status.value
      }
    }
    guard let best = Self.pickNode(candidates) else {
      fitError.postFilterMessage = "preemption: " + dryRun.message
      return
    }
    fitError.preemption = Preemption(node: cache.nodes[best.index].name, victims: best.victims.map(\.raw))
  }

  /// Upstream's PodEligibleToPreemptOthers: never for preemptionPolicy Never, nor while a
  /// lower-priority pod on the nominated node is still terminating because of an earlier preemption.
  func preemptionRefusal(_ pod: SchedulerPod, fitError: FitError) -> String? {
    if pod.preemptionNever { return "not eligible due to preemptionPolicy=Never." }
    let nominated = pod.nominatedNodeName
    guard !nominated.isEmpty else { return nil }
    if fitError.status(of: nominated)?.code == .unresolvable { return nil }
    guard let node = cache.node(named: nominated) else { return nil }
    for other in node.pods where other.priority < pod.priority && other.isTerminating {
      let conditions = other.raw["status"]?["conditions"]?.arrayValue ?? []
      let preempted = conditions.contains {
        $0["type"]?.stringValue == "DisruptionTarget" && $0["status"]?.stringValue == "True"
          && $0["reason"]?.stringValue == "PreemptionByScheduler"
      }
      if preempted { return "not eligible due to a terminating pod on the nominated node." }
    }
    return nil
  }

  /// A node where preemption would work, and what it would cost there.
  struct Candidate {
    var index: Int
    var victims: [SchedulerPod]
    /// Victims whose eviction a PodDisruptionBudget does not allow.
    var violations: Int
  }

  /// Upstream's SelectVictimsOnNode: remove every lower-priority pod, check the pod fits, then
  /// reprieve as many as still lets it fit — first the pods a PodDisruptionBudget protects,
  /// then the others, most important first — and count the protected ones left as victims.
  func selectVictims(_ state: CycleState, _ original: SchedulerNode) -> Result<
    (victims: [SchedulerPod], violations: Int), NodeStatusError
  > {
    var node = original
    var trial = state
    let potential = node.pods.filter { $0.priority < state.pod.priority }.sorted(by: SchedulerPod.moreImportant)
    if potential.isEmpty {
      return .failure(
        NodeStatusError(value: .unresolvable("DefaultPreemption", "No preemption victims found for incoming pod")))
    }
    for victim in potential {
      node.removePod(identity: victim.identity)
      trial.update(with: victim, on: node, delta: -1, cache: cache)
    }
    if let status = filterWithNominatedPods(trial, node) { return .failure(NodeStatusError(value: status)) }
    let protected = Set(podsViolatingBudgets(potential).map(\.identity))
    var victims: [SchedulerPod] = []
    var violations = 0
    for candidate in potential.filter({ protected.contains($0.identity) })
      + potential.filter({ !protected.contains($0.identity) })
    {
      node.addPod(candidate)
      trial.update(with: candidate, on: node, delta: 1, cache: cache)
      if filterWithNominatedPods(trial, node) != nil {
        node.removePod(identity: candidate.identity)
        trial.update(with: candidate, on: node, delta: -1, cache: cache)
        victims.append(candidate)
        if protected.contains(candidate.identity) { violations += 1 }
      }
    }
    return .success((victims.sorted(by: SchedulerPod.moreImportant), violations))
  }

  /// Upstream's filterPodsWithPDBViolation: going through `pods` in order, the ones whose
  /// eviction would take a budget below zero disruptions allowed.
  func podsViolatingBudgets(_ pods: [SchedulerPod]) -> [SchedulerPod] {
    var allowed = cache.disruptionBudgets.mapValues(\.allowed)
    return pods.filter { pod in
      var violated = false
      for (key, budget) in cache.disruptionBudgets where budget.covers(pod) {
        allowed[key, default: 0] -= 1
        if allowed[key, default: 0] < 0 { violated = true }
      }
      return violated
    }
  }

  /// Upstream's pickOneNodeForPreemption: fewest PodDisruptionBudget violations, lowest
  /// highest-victim priority, lowest priority sum, fewest victims, latest earliest start time.
  static func pickNode(_ candidates: [Candidate]) -> Candidate? {
    var remaining = candidates
    let criteria: [(Candidate) -> Int64] = [
      { -Int64($0.violations) },
      { -($0.victims.first?.priority ?? 0) },
      { -$0.victims.reduce(0) { $0 + $1.priority + Int64(Int32.max) + 1 } },
      { -Int64($0.victims.count) },
      { earliestStartOfMostImportant($0.victims) },
    ]
    for criterion in criteria where remaining.count > 1 {
      let scores = remaining.map(criterion)
      let best = scores.max()!
      remaining = zip(remaining, scores).filter { $0.1 == best }.map(\.0)
    }
    return remaining.first
  }

  /// Start time (ms) of the earliest-started victim among those of the highest priority; a pod
  /// without a start time counts as starting now (the latest possible).
  static func earliestStartOfMostImportant(_ victims: [SchedulerPod]) -> Int64 {
    guard let top = victims.map(\.priority).max() else { return Int64.min }
    return victims.filter { $0.priority == top }.map { $0.startTime?.milliseconds ?? Int64.max }.min() ?? Int64.min
  }
}

/// Carries a node status through `Result`.
struct NodeStatusError: Error, Sendable {
  var value: NodeStatus
}
