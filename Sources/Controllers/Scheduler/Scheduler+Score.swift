import Foundation
import KubeAPI

/// Score plugins with the default profile's weights; each yields 0…100 per feasible node.
extension Scheduler {
  static let maxNodeScore: Int64 = 100

  /// Weighted totals per feasible node (same order as `feasible`).
  mutating func score(_ state: CycleState, _ feasible: [Int]) -> [Int64] {
    var totals = Array(repeating: Int64(0), count: feasible.count)
    func add(_ scores: [Int64]?, weight: Int64) {
      guard let scores else { return }
      for i in totals.indices { totals[i] += scores[i] * weight }
    }
    let preferTolerations = Self.preferNoScheduleTolerations(state.pod)
    var taints = Array(repeating: Int64(0), count: feasible.count)
    var nodeAffinity = state.pod.preferredNodeAffinity.isEmpty ? [] : taints
    let imageNodeCounts = cache.imageNodeCounts
    let nodeCount = cache.nodeCount
    // Nodes are read in place: copying them per plugin costs more than the plugins.
    cache.nodes.withUnsafeBufferPointer { nodes in
      for (position, index) in feasible.enumerated() {
        taints[position] = Self.intolerablePreferNoSchedule(preferTolerations, nodes[index])
        if !nodeAffinity.isEmpty { nodeAffinity[position] = Self.preferredNodeAffinity(state.pod, nodes[index]) }
        totals[position] =
          Self.leastAllocated(state.pod, nodes[index]) + Self.balancedAllocation(state.pod, nodes[index])
          + Self.imageLocality(state.pod, nodes[index], imageNodeCounts: imageNodeCounts, nodeCount: nodeCount)
      }
    }
    add(Self.normalize(taints, reverse: true), weight: 3)
    if !nodeAffinity.isEmpty { add(Self.normalize(nodeAffinity, reverse: false), weight: 2) }
    add(scoreSpread(state.pod, feasible), weight: 2)
    add(scoreAffinity(state.pod, feasible), weight: 2)
    return totals
  }

  /// Upstream's DefaultNormalizeScore: scale to 0…100 by the maximum, optionally reversed.
  static func normalize(_ scores: [Int64], reverse: Bool) -> [Int64] {
    let maximum = scores.max() ?? 0
    if maximum == 0 { return reverse ? scores.map { _ in maxNodeScore } : scores }
    return scores.map { score in
      let scaled = maxNodeScore * score / maximum
      return reverse ? maxNodeScore - scaled : scaled
    }
  }

  static func preferNoScheduleTolerations(_ pod: SchedulerPod) -> [Toleration] {
    pod.tolerations.filter { $0.effect.isEmpty || $0.effect == "PreferNoSchedule" }
  }

  /// TaintToleration: PreferNoSchedule taints not tolerated; `tolerations` are the pod's
  /// tolerations with an empty or PreferNoSchedule effect (only those count).
  static func intolerablePreferNoSchedule(_ tolerations: [Toleration], _ node: SchedulerNode) -> Int64 {
    var count: Int64 = 0
    for taint in node.taints where taint.effect == "PreferNoSchedule" && !tolerations.tolerate(taint) { count += 1 }
    return count
  }

  /// NodeAffinity: the sum of the weights of matching preferred terms.
  static func preferredNodeAffinity(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    pod.preferredNodeAffinity.reduce(0) { sum, preferred in
      preferred.term.matches(labels: node.labels, name: node.name) ? sum + preferred.weight : sum
    }
  }

  /// NodeResourcesFit LeastAllocated on cpu and memory (weight 1 each), with non-zero defaults.
  static func leastAllocated(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    func free(_ requested: Int64, _ allocatable: Int64) -> Int64 {
      requested > allocatable ? 0 : (allocatable - requested) * maxNodeScore / allocatable
    }
    let cpu = node.allocatable.milliCPU
    let memory = node.allocatable.memory
    switch (cpu != 0, memory != 0) {
    case (true, true):
      return (free(node.nonZeroCPU + pod.nonZeroCPU, cpu) + free(node.nonZeroMemory + pod.nonZeroMemory, memory)) / 2
    case (true, false): return free(node.nonZeroCPU + pod.nonZeroCPU, cpu)
    case (false, true): return free(node.nonZeroMemory + pod.nonZeroMemory, memory)
    case (false, false): return 0
    }
  }

  /// NodeResourcesBalancedAllocation: 100 × (1 − standard deviation of the cpu and memory fractions).
  static func balancedAllocation(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    let cpu = node.allocatable.milliCPU
    let memory = node.allocatable.memory
    guard cpu != 0 && memory != 0 else { return maxNodeScore }
    let cpuFraction = min(1, Double(node.requested.milliCPU + pod.requests.milliCPU) / Double(cpu))
    let memoryFraction = min(1, Double(node.requested.memory + pod.requests.memory) / Double(memory))
    return Int64((1 - abs((cpuFraction - memoryFraction) / 2)) * Double(maxNodeScore))
  }

  /// ImageLocality: sizes of the pod's images present on the node, scaled by how many nodes have
  /// them, mapped between 23 MB and 1000 MB per container.
  static func imageLocality(
    _ pod: SchedulerPod, _ node: SchedulerNode, imageNodeCounts: [String: Int], nodeCount: Int
  ) -> Int64 {
    let megabyte: Int64 = 1024 * 1024
    let minimum = 23 * megabyte
    let maximum = 1000 * megabyte * Int64(pod.containerCount)
    var sum: Int64 = 0
    if !node.images.isEmpty {
      for image in pod.images {
        guard let size = node.images[image] else { continue }
        let spread = Double(imageNodeCounts[image] ?? 0) / Double(max(nodeCount, 1))
        sum += Int64(Double(size) * spread)
      }
    }
    guard maximum > minimum else { return 0 }
    sum = min(max(sum, minimum), maximum)
    return maxNodeScore * (sum - minimum) / (maximum - minimum)
  }
}
