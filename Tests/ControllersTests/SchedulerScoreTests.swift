import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulerScoreTests {
  static func node(_ cache: SchedulerCache, _ name: String) -> SchedulerNode { cache.node(named: name)! }

  @Test func leastAllocatedAndBalancedAllocation() {
    let scheduler = F.scheduler(
      nodes: [F.node("n1", cpu: "4", memory: "8Gi")], pods: [F.pod("a", cpu: "1", memory: "6Gi", nodeName: "n1")])
    let node = Self.node(scheduler.cache, "n1")
    let pod = SchedulerPod(F.pod("b", cpu: "1", memory: "0"))
    // cpu (4000 − 2000)·100/4000 = 50; memory (an explicit 0 gets no default) (8 − 6)·100/8 = 25; mean 37.
    #expect(Scheduler.leastAllocated(pod, node) == 37)
    // Fractions 0.5 and 0.75: deviation 0.125 → 87.
    #expect(Scheduler.balancedAllocation(pod, node) == 87)
  }

  @Test func imageLocalityScalesBySpread() {
    let image: [JSONValue] = [["names": ["registry.example/app:1.0"], "sizeBytes": 524_288_000]]
    let scheduler = F.scheduler(nodes: [F.node("n1", images: image), F.node("n2", images: image), F.node("n3")])
    let pod = SchedulerPod(F.pod("p", image: "registry.example/app:1.0"))
    func score(_ name: String) -> Int64 {
      Scheduler.imageLocality(
        pod, Self.node(scheduler.cache, name), imageNodeCounts: scheduler.cache.imageNodeCounts,
        nodeCount: scheduler.cache.nodeCount)
    }
    #expect(score("n1") == 31)
    #expect(score("n3") == 0)
    var placed = scheduler
    #expect(placed.schedule(pod: F.pod("p", image: "registry.example/app:1.0")).nodeName != "n3")
  }

  @Test func preferNoScheduleTaintsScoreInReverse() {
    let nodes = [
      F.node("n1", taints: [F.taint("a", effect: "PreferNoSchedule"), F.taint("b", effect: "PreferNoSchedule")]),
      F.node("n2", taints: [F.taint("a", effect: "PreferNoSchedule")]),
      F.node("n3"),
    ]
    let scheduler = F.scheduler(nodes: nodes)
    let pod = SchedulerPod(F.pod("p", extraSpec: ["tolerations": [["key": "c", "operator": "Exists"]]]))
    let tolerations = Scheduler.preferNoScheduleTolerations(pod)
    let raw = ["n1", "n2", "n3"].map {
      Scheduler.intolerablePreferNoSchedule(tolerations, Self.node(scheduler.cache, $0))
    }
    #expect(raw == [2, 1, 0])
    #expect(Scheduler.normalize(raw, reverse: true) == [0, 50, 100])
    let tolerant = SchedulerPod(
      F.pod("q", extraSpec: ["tolerations": [["key": "a", "operator": "Exists", "effect": "PreferNoSchedule"]]]))
    let tolerated = Scheduler.preferNoScheduleTolerations(tolerant)
    #expect(Scheduler.intolerablePreferNoSchedule(tolerated, Self.node(scheduler.cache, "n1")) == 1)
  }

  @Test func preferredNodeAffinityWeights() {
    let nodes = [
      F.node("ssd", labels: ["disk": "ssd"]), F.node("ssd-z1", labels: ["disk": "ssd", "zone": "z1"]),
      F.node("hdd-z1", labels: ["disk": "hdd", "zone": "z1"]),
    ]
    var scheduler = F.scheduler(nodes: nodes)
    let affinity: JSONValue = [
      "nodeAffinity": [
        "preferredDuringSchedulingIgnoredDuringExecution": [
          ["weight": 80, "preference": ["matchExpressions": [["key": "disk", "operator": "In", "values": ["ssd"]]]]],
          ["weight": 20, "preference": ["matchExpressions": [["key": "zone", "operator": "Exists"]]]],
        ]
      ]
    ]
    let pod = SchedulerPod(F.pod("p", extraSpec: ["affinity": affinity]))
    let raw = ["ssd", "ssd-z1", "hdd-z1"].map { Scheduler.preferredNodeAffinity(pod, Self.node(scheduler.cache, $0)) }
    #expect(raw == [80, 100, 20])
    #expect(scheduler.schedule(pod: F.pod("p", extraSpec: ["affinity": affinity])).nodeName == "ssd-z1")
  }

  @Test func tiesAreBrokenRandomlyButReproducibly() {
    let nodes = (1...4).map { F.node("n\($0)") }
    func run(seed: UInt64) -> [String] {
      var scheduler = F.scheduler(nodes: nodes, seed: seed)
      return (0..<12).compactMap { scheduler.schedule(pod: F.pod("p\($0)")).nodeName }
    }
    let first = run(seed: 7)
    #expect(first == run(seed: 7))
    #expect(Set(first).count > 1)
  }

  @Test func spreadsAcrossNodesWhenAssumed() {
    var scheduler = F.scheduler(nodes: (1...3).map { F.node("n\($0)") })
    var counts: [String: Int] = [:]
    for i in 0..<9 {
      let pod = F.pod("p\(i)", cpu: "100m", memory: "64Mi")
      guard let node = scheduler.schedule(pod: pod).nodeName else { continue }
      scheduler.cache.assume(pod: pod, node: node)
      counts[node, default: 0] += 1
    }
    #expect(counts == ["n1": 3, "n2": 3, "n3": 3])
  }
}
