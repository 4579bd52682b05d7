import KubeAPI
import Testing

@testable import Kubelet

/// The figures read from /proc, and the shapes metrics-server reads.
struct StatsTests {
  @Test func procFilesParse() throws {
    let cpu = try #require(
      HostStats.parseCPU(
        "cpu  100 20 30 1000 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nbtime 1700000000\n", ticksPerSecond: 100))
    #expect(cpu.usageNanoseconds == (100 + 20 + 30 + 6 + 7 + 8) * 10_000_000)
    #expect(HostStats.parseBootTime("cpu 1\nbtime 1700000000\n") == 1_700_000_000)
    let memory = try #require(
      HostStats.parseMemory(
        "MemTotal:       1000 kB\nMemFree:         200 kB\nInactive(file):  100 kB\nActive(anon):     50 kB\nInactive(anon):   25 kB\n"
      ))
    #expect(memory.capacity == 1_024_000)
    #expect(memory.usage == 800 * 1024)
    #expect(memory.workingSet == 700 * 1024)
    #expect(memory.rss == 75 * 1024)
    #expect(memory.available == 300 * 1024)
    let interfaces = HostStats.parseInterfaces(
      """
      Inter-|   Receive                                                |  Transmit
       face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
          lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
        eth0:    5000      10    2    0    0     0          0         0     7000      12    3    0    0     0       0          0
      """)
    #expect(interfaces == [HostStats.Interface(name: "eth0", rxBytes: 5000, rxErrors: 2, txBytes: 7000, txErrors: 3)])
  }

  @Test func cpuRateNeedsTwoReadings() {
    let tracker = CPURateTracker()
    #expect(tracker.rate("c", usage: 1_000_000_000, at: KubeTime(seconds: 10)) == nil)
    #expect(tracker.rate("c", usage: 1_500_000_000, at: KubeTime(seconds: 11)) == 500_000_000)
  }

  static func sample() -> (NodeSample, [PodSample]) {
    let time = KubeTime(seconds: 1_700_000_100)
    let usage = UsageSample(
      time: time, cpuNanoseconds: 2_500_000_000, cpuNanoCores: 1_000_000, memoryUsage: 4096, memoryWorkingSet: 2048)
    let node = NodeSample(
      name: "node-a", startTime: KubeTime(seconds: 1_700_000_000), usage: usage,
      interfaces: [HostStats.Interface(name: "eth0", rxBytes: 1, rxErrors: 0, txBytes: 2, txErrors: 0)],
      fileSystem: HostStats.FileSystem(capacity: 100, available: 40, used: 60, inodes: 10, inodesFree: 4),
      imageFileSystem: nil, maxPID: 4_194_304, processCount: 300)
    let pod = PodSample(
      namespace: "default", name: "web", uid: "u-1", startTime: time,
      containers: [ContainerSample(name: "app", startTime: time, usage: usage)], usage: usage, interfaces: [],
      processCount: 2)
    return (node, [pod])
  }

  @Test func summaryHasTheV1alpha1Shape() {
    let (node, pods) = Self.sample()
    let summary = StatsSummary.render(node: node, pods: pods)
    #expect(summary["node"]?["nodeName"]?.stringValue == "node-a")
    #expect(summary["node"]?["cpu"]?["usageNanoCores"]?.intValue == 1_000_000)
    #expect(summary["node"]?["cpu"]?["usageCoreNanoSeconds"]?.intValue == 2_500_000_000)
    #expect(summary["node"]?["memory"]?["workingSetBytes"]?.intValue == 2048)
    #expect(summary["node"]?["fs"]?["inodesUsed"]?.intValue == 6)
    #expect(summary["node"]?["network"]?["name"]?.stringValue == "eth0")
    let pod = summary["pods"]?[0]
    #expect(pod?["podRef"]?["uid"]?.stringValue == "u-1")
    #expect(pod?["containers"]?[0]?["name"]?.stringValue == "app")
    #expect(pod?["containers"]?[0]?["memory"]?["usageBytes"]?.intValue == 4096)
    #expect(pod?["process_stats"]?["process_count"]?.intValue == 2)
    #expect(pod?["startTime"]?.stringValue == "2023-11-14T22:15:00Z")
  }

  @Test func resourceMetricsUseUpstreamNamesLabelsAndTimestamps() {
    let (node, pods) = Self.sample()
    let text = ResourceMetrics.render(node: node, pods: pods, scrapeError: false)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(
      lines.contains(
        "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\",pod=\"web\"} 2.5 1700000100000"))
    #expect(
      lines.contains(
        "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"} 2048 1700000100000"))
    #expect(lines.contains("pod_cpu_usage_seconds_total{namespace=\"default\",pod=\"web\"} 2.5 1700000100000"))
    #expect(lines.contains("pod_memory_working_set_bytes{namespace=\"default\",pod=\"web\"} 2048 1700000100000"))
    #expect(lines.contains("node_cpu_usage_seconds_total 2.5 1700000100000"))
    #expect(lines.contains("node_memory_working_set_bytes 2048 1700000100000"))
    #expect(lines.contains("# TYPE node_cpu_usage_seconds_total counter"))
    #expect(lines.contains("resource_scrape_error 0"))
  }
}
