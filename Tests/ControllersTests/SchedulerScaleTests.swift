import KubeAPI
import Testing

@testable import Controllers

#if canImport(Glibc)
  import Glibc
#endif

/// 100 nodes already running 3,000 pods; 3,000 more are scheduled one by one and assumed, as the
/// control loop does. Prints the average time per decision (no assertion on time).
@Suite struct SchedulerScaleTests {
  static let images: [JSONValue] = [
    ["names": ["registry.example/web:1.4"], "sizeBytes": 150_000_000],
    ["names": ["registry.example/worker:2.0"], "sizeBytes": 300_000_000],
  ]

  static func workload(_ i: Int, nodeName: String? = nil) -> JSONValue {
    let app = ["web", "worker", "batch"][i % 3]
    let image =
      app == "batch" ? "registry.example/batch:0.9" : "registry.example/\(app):\(app == "web" ? "1.4" : "2.0")"
    return F.pod(
      "\(app)-\(i)", namespace: "ns-\(i % 5)", cpu: ["50m", "100m", "20m"][i % 3],
      memory: ["64Mi", "128Mi", "32Mi"][i % 3], labels: ["app": app, "tier": "t\(i % 4)"], nodeName: nodeName,
      image: image)
  }

  @Test func schedulesThreeThousandPodsOnAHundredNodes() {
    var nodes: [JSONValue] = []
    for n in 0..<100 {
      nodes.append(
        F.node(
          "node-\(n)", cpu: "8", memory: "32Gi", pods: 110,
          labels: ["topology.kubernetes.io/zone": "zone-\(n % 3)"],
          taints: n % 10 == 0 ? [F.taint("dedicated", "infra", effect: "PreferNoSchedule")] : [],
          images: n % 2 == 0 ? Self.images : []))
    }
    var scheduler = F.scheduler(nodes: nodes)
    for i in 0..<3000 { scheduler.cache.addPod(Self.workload(i, nodeName: "node-\(i % 100)")) }
    #expect(scheduler.cache.podCount == 3000)

    let clock = ContinuousClock()
    var elapsed = Duration.zero
    var cpu: Int64 = 0
    var placed = 0
    for i in 3000..<6000 {
      let pod = Self.workload(i)
      let start = clock.now
      let cpuStart = Self.threadCPUNanoseconds()
      let result = scheduler.schedule(pod: pod)
      cpu += Self.threadCPUNanoseconds() - cpuStart
      elapsed += clock.now - start
      guard let node = result.nodeName else {
        Issue.record("pod \(i) not placed: \(result.fitError?.message ?? result.failure ?? "")")
        continue
      }
      scheduler.cache.assume(pod: pod, node: node)
      placed += 1
    }
    #expect(placed == 3000)
    for name in scheduler.cache.nodeNames {
      let requested = scheduler.cache.requested(onNode: name)!
      let allocatable = scheduler.cache.allocatable(ofNode: name)!
      #expect(requested.milliCPU <= allocatable.milliCPU)
      #expect(requested.memory <= allocatable.memory)
      #expect(Int64(scheduler.cache.podCount(onNode: name)) <= allocatable.allowedPodNumber)
    }
    let counts = scheduler.cache.nodeNames.map { scheduler.cache.podCount(onNode: $0) }
    print(
      "scheduler scale: 3000 decisions over 100 nodes / 3000–6000 pods: wall \(elapsed / 3000) per decision, "
        + "thread CPU \(cpu / 3000 / 1000) µs per decision, "
        + "pods per node \(counts.min()!)–\(counts.max()!)")
  }

  /// CPU time of this thread, so the figure means something on a loaded machine.
  static func threadCPUNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
  }
}
