import KubeAPI
import SkiffCore

/// kube-scheduler's default profile as pure logic: PreFilter → Filter → (PostFilter: preemption)
/// → Score → pick the best node, over the nodes and pods in `cache`. No I/O: the control loop
/// binds, assumes the pod in the cache and records events from the returned `SchedulingResult`.
public struct Scheduler: Sendable {
  public var cache: SchedulerCache
  /// Like upstream's percentageOfNodesToScore; 0 is the adaptive default (all nodes below 100).
  public var percentageOfNodesToScore = 0
  var random: SplitMix64
  var nextStartNodeIndex = 0
  var matchingPods = MatchingPodCounts()

  /// `seed` fixes tie-breaking between equally scored nodes (tests); nil seeds randomly.
  public init(cache: SchedulerCache = SchedulerCache(), seed: UInt64? = nil) {
    self.cache = cache
    random = SplitMix64(seed: seed ?? UInt64.random(in: 0...UInt64.max))
  }

  /// Finds a node for `pod` (a Pod object without `spec.nodeName`), running preemption when none fits.
  public mutating func schedule(pod json: JSONValue) -> SchedulingResult {
    var state = CycleState(pod: SchedulerPod(json))
    let allNodes = cache.nodes.indices.filter { cache.nodes[$0].node != nil }
    if allNodes.isEmpty { return .failed(message: "no nodes available to schedule pods") }

    switch preFilter(&state) {
    case .failed(let message):
      return .failed(message: message)
    case .rejected(let status):
      var fitError = FitError(numAllNodes: allNodes.count)
      fitError.preFilterMessage = status.reasons.joined(separator: ", ")
      fitError.absentStatus = status
      fitError.unschedulablePlugins = [status.plugin]
      postFilter(state, allNodes: allNodes, fitError: &fitError)
      return .unschedulable(fitError)
    case .passed:
      break
    }

    // A pod nominated by an earlier preemption tries its nominated node first.
    let nominated = state.pod.nominatedNodeName
    if !nominated.isEmpty, let index = cache.nodeIndex[nominated], cache.nodes[index].node != nil,
      state.allowedNodes?.contains(nominated) ?? true, filterWithNominatedPods(state, cache.nodes[index]) == nil
    {
      return .scheduled(node: nominated, volumes: volumeDecision(state, cache.nodes[index]))
    }

    var fitError = FitError(numAllNodes: allNodes.count)
    var candidates = allNodes
    if let allowed = state.allowedNodes {
      candidates = allNodes.filter { allowed.contains(cache.nodes[$0].name) }
      let plugins = state.narrowingPlugins.sorted()
      fitError.absentStatus = NodeStatus(
        code: .unresolvable, reasons: ["node(s) didn't satisfy plugin(s) [\(plugins.joined(separator: " "))]"],
        plugin: plugins.first ?? "")
      fitError.unschedulablePlugins.formUnion(plugins)
    }
    let feasible = findFeasibleNodes(state, candidates: candidates, total: allNodes.count, fitError: &fitError)
    if feasible.isEmpty {
      postFilter(state, allNodes: allNodes, fitError: &fitError)
      return .unschedulable(fitError)
    }
    let chosen = feasible.count == 1 ? feasible[0] : selectHost(feasible, scores: score(state, feasible))
    return .scheduled(node: cache.nodes[chosen].name, volumes: volumeDecision(state, cache.nodes[chosen]))
  }

  /// Upstream's numFeasibleNodesToFind: every node below 100, else an adaptive share (at least 100).
  func numFeasibleNodesToFind(_ total: Int) -> Int {
    if total < 100 { return total }
    var percentage = percentageOfNodesToScore
    if percentage <= 0 { percentage = max(5, 50 - total / 125) }
    return max(100, total * percentage / 100)
  }

  /// Filters nodes round-robin from where the previous cycle stopped until enough fit.
  mutating func findFeasibleNodes(
    _ state: CycleState, candidates: [Int], total: Int, fitError: inout FitError
  ) -> [Int] {
    guard !candidates.isEmpty else { return [] }
    let wanted = numFeasibleNodesToFind(total)
    var feasible: [Int] = []
    feasible.reserveCapacity(min(wanted, candidates.count))
    var processed = 0
    let start = nextStartNodeIndex % candidates.count
    cache.nodes.withUnsafeBufferPointer { nodes in
      for offset in 0..<candidates.count {
        let index = candidates[(start + offset) % candidates.count]
        processed += 1
        if let status = filterWithNominatedPods(state, nodes[index]) {
          fitError.nodeStatuses[nodes[index].name] = status
          fitError.unschedulablePlugins.insert(status.plugin)
        } else {
          feasible.append(index)
          if feasible.count >= wanted { break }
        }
      }
    }
    nextStartNodeIndex = (nextStartNodeIndex + processed) % max(total, 1)
    return feasible
  }

  /// The highest total score; ties are broken uniformly at random (upstream's reservoir sampling).
  mutating func selectHost(_ nodes: [Int], scores: [Int64]) -> Int {
    var best = Int64.min
    var ties: [Int] = []
    for (position, score) in scores.enumerated() {
      if score > best {
        best = score
        ties = [nodes[position]]
      } else if score == best {
        ties.append(nodes[position])
      }
    }
    return ties.count == 1 ? ties[0] : ties[Int(random.next() % UInt64(ties.count))]
  }
}

/// Per-attempt state computed once by the PreFilter plugins (upstream's CycleState).
struct CycleState: Sendable {
  var pod: SchedulerPod
  /// The only node names the pod can go to, from PreFilter results (NodeAffinity `metadata.name In`,
  /// VolumeBinding's local PVs); nil allows every node.
  var allowedNodes: Set<String>?
  /// Plugins that narrowed `allowedNodes`, in PreFilter order.
  var narrowingPlugins: [String] = []
  var spread: SpreadFilterState?
  var affinity: AffinityFilterState?
  var claims = PodClaims()
}

enum PreFilterOutcome: Sendable {
  case passed
  case rejected(NodeStatus)
  case failed(String)
}

extension Scheduler {
  /// PreFilter in upstream's plugin order: NodeAffinity, VolumeBinding, PodTopologySpread, InterPodAffinity.
  func preFilter(_ state: inout CycleState) -> PreFilterOutcome {
    if let names = state.pod.requiredNodeAffinity.nodeNames {
      if names.isEmpty { return .rejected(.unresolvable("NodeAffinity", "pod affinity terms conflict")) }
      if let rejection = state.narrow(to: names, by: "NodeAffinity") { return .rejected(rejection) }
    }
    switch preFilterVolumes(state.pod) {
    case .success(let claims):
      state.claims = claims
      if let names = eligibleNodes(claims), let rejection = state.narrow(to: names, by: "VolumeBinding") {
        return .rejected(rejection)
      }
    case .failure(let outcome): return outcome.value
    }
    do {
      state.spread = try preFilterSpread(state.pod)
    } catch {
      return .failed("running PreFilter plugin \"PodTopologySpread\": \(error.message)")
    }
    if let parseError = state.pod.parseError {
      return .rejected(.unresolvable("InterPodAffinity", "parsing pod: \(parseError)"))
    }
    state.affinity = preFilterAffinity(state.pod)
    return .passed
  }
}

extension CycleState {
  /// Merges a plugin's PreFilter node names (upstream's PreFilterResult.Merge); an empty merge rejects.
  mutating func narrow(to names: Set<String>, by plugin: String) -> NodeStatus? {
    allowedNodes = allowedNodes.map { $0.intersection(names) } ?? names
    narrowingPlugins.append(plugin)
    guard allowedNodes?.isEmpty == true else { return nil }
    let message =
      narrowingPlugins.count == 1
      ? "node(s) didn't satisfy plugin \(plugin)"
      : "node(s) didn't satisfy plugin(s) [\(narrowingPlugins.joined(separator: " "))] simultaneously"
    return .unresolvable(plugin, message)
  }
}

/// Wraps a PreFilter outcome so it can travel through `Result`.
struct PreFilterStop: Error {
  var value: PreFilterOutcome
}
