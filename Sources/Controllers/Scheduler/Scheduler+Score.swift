import Foundation
import KubeAPI

/// Score plugins with the default profile's weights; each yields 0…100 per feasible node.
extension Scheduler {
  static let maxNodeScore: Int64 = 100

  /// Weighted totals per feasible node (same order as `feasible`).
  func score(_ state: CycleState, _ feasible: [Int]) -> [Int64] {
    let pod = state.pod
    var totals = Array(repeating: Int64(0), count: feasible.count)
    func add(_ scores: [Int64]?, weight: Int64) {
      guard let scores else { return }
      for i in totals.indices { totals[i] += scores[i] * weight }
    }
    let nodes = feasible.map { cache.nodes[$0] }
    add(Self.normalize(nodes.map { Self.intolerablePreferNoSchedule(pod, $0) }, reverse: true), weight: 3)
    if !pod.preferredNodeAffinity.isEmpty {
      add(Self.normalize(nodes.map { Self.preferredNodeAffinity(pod, $0) }, reverse: false), weight: 2)
    }
    add(nodes.map { Self.leastAllocated(pod, $0) }, weight: 1)
    add(scoreSpread(pod, feasible), weight: 2)
    add(scoreAffinity(pod, feasible), weight: 2)
    if pod.requests.milliCPU != 0 || pod.requests.memory != 0 {
      add(nodes.map { Self.balancedAllocation(pod, $0) }, weight: 1)
    }
    add(nodes.map { imageLocality(pod, $0) }, weight: 1)
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

  /// TaintToleration: PreferNoSchedule taints not tolerated (only tolerations for that effect count).
  static func intolerablePreferNoSchedule(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    let tolerations = pod.tolerations.filter { $0.effect.isEmpty || $0.effect == "PreferNoSchedule" }
    return Int64(node.taints.filter { $0.effect == "PreferNoSchedule" && !tolerations.tolerate($0) }.count)
  }

  /// NodeAffinity: the sum of the weights of matching preferred terms.
  static func preferredNodeAffinity(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    pod.preferredNodeAffinity.reduce(0) { sum, preferred in
      preferred.term.matches(labels: node.labels, name: node.name) ? sum + preferred.weight : sum
    }
  }

  /// NodeResourcesFit LeastAllocated on cpu and memory (weight 1 each), with non-zero defaults.
  static func leastAllocated(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    var total: Int64 = 0
    var weights: Int64 = 0
    for (requested, allocatable) in [
      (node.nonZeroCPU + pod.nonZeroCPU, node.allocatable.milliCPU),
      (node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory),
    ] where allocatable != 0 {
      total += requested > allocatable ? 0 : (allocatable - requested) * maxNodeScore / allocatable
      weights += 1
    }
    return weights == 0 ? 0 : total / weights
  }

  /// NodeResourcesBalancedAllocation: 100 × (1 − standard deviation of the cpu and memory fractions).
  static func balancedAllocation(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    var fractions: [Double] = []
    for (requested, allocatable) in [
      (node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU),
      (node.requested.memory + pod.requests.memory, node.allocatable.memory),
    ] where allocatable != 0 {
      fractions.append(min(1, Double(requested) / Double(allocatable)))
    }
    let deviation = fractions.count == 2 ? abs((fractions[0] - fractions[1]) / 2) : 0
    return Int64((1 - deviation) * Double(maxNodeScore))
  }

  /// ImageLocality: sizes of the pod's images present on the node, scaled by how many nodes have
  /// them, mapped between 23 MB and 1000 MB per container.
  func imageLocality(_ pod: SchedulerPod, _ node: SchedulerNode) -> Int64 {
    let megabyte: Int64 = 1024 * 1024
    let minimum = 23 * megabyte
    let maximum = 1000 * megabyte * Int64(pod.containerCount)
    var sum: Int64 = 0
    if !node.images.isEmpty {
      for image in pod.images {
        guard let size = node.images[image] else { continue }
        let spread = Double(cache.imageNodeCounts[image] ?? 0) / Double(max(cache.nodeCount, 1))
        sum += Int64(Double(size) * spread)
      }
    }
    guard maximum > minimum else { return 0 }
    sum = min(max(sum, minimum), maximum)
    return Self.maxNodeScore * (sum - minimum) / (maximum - minimum)
  }
}
