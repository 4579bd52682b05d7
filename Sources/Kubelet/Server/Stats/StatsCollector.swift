import Foundation
import KubeAPI
import Runtime
import SkiffCore

/// Reads the node from /proc and statfs and each running pod from its containers' cgroups and
/// its sandbox's network namespace, for `/stats/summary` and `/metrics/resource`.
final class StatsCollector: Sendable {
  let runtime: ContainerRuntime
  let locator: any PodLocator
  let nodeName: String
  /// The file systems reported as the node's (`fs`) and the image store's (`imageFs`).
  let rootDirectory: String
  let host = HostStats()
  private let rates = CPURateTracker()

  init(runtime: ContainerRuntime, locator: any PodLocator, nodeName: String, rootDirectory: String) {
    self.runtime = runtime
    self.locator = locator
    self.nodeName = nodeName
    self.rootDirectory = rootDirectory
  }

  func collect() async -> (node: NodeSample, pods: [PodSample], scrapeError: Bool) {
    let now = KubeTime(clock: SystemClock())
    var failed = false
    var pods: [PodSample] = []
    var keys: Set<String> = ["node"]
    for pod in await locator.runningPods().sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) {
      var containers: [ContainerSample] = []
      var total = UsageSample(time: now, cpuNanoseconds: 0, memoryUsage: 0, memoryWorkingSet: 0)
      for (name, id) in pod.containers.sorted(by: { $0.key < $1.key }) {
        guard let stats = try? runtime.stats(id) else {
          failed = true
          continue
        }
        keys.insert("c/\(id)")
        let usage = sample(stats, key: "c/\(id)", time: now)
        add(usage, to: &total)
        let started = (try? runtime.status(id))?.startedAt.map {
          KubeTime(milliseconds: Int64($0.timeIntervalSince1970 * 1000))
        }
        containers.append(ContainerSample(name: name, startTime: started, usage: usage))
      }
      var interfaces: [HostStats.Interface] = []
      var podStart: KubeTime?
      if let sandbox = try? runtime.loadSandbox(pod.sandboxID) {
        podStart = KubeTime(milliseconds: Int64(sandbox.createdAt.timeIntervalSince1970 * 1000))
        if sandbox.isAlive, !sandbox.options.hostNetwork { interfaces = host.interfaces(pid: sandbox.pid) }
        if let stats = try? runtime.cgroups.stats("sandbox-\(pod.sandboxID)", now: 0) {
          total.cpuNanoseconds += stats.cpuUsageNanoseconds
          total.memoryUsage += stats.memoryUsageBytes
          total.memoryWorkingSet += stats.memoryWorkingSetBytes
        }
      }
      keys.insert("p/\(pod.uid)")
      total.cpuNanoCores = rates.rate("p/\(pod.uid)", usage: total.cpuNanoseconds, at: now)
      let processes = pod.containers.values.reduce(UInt64(0)) { $0 + ((try? runtime.stats($1))?.pids ?? 0) }
      pods.append(
        PodSample(
          namespace: pod.namespace, name: pod.name, uid: pod.uid, startTime: podStart, containers: containers,
          usage: total, interfaces: interfaces, processCount: processes))
    }
    rates.keep(keys)
    let cpu = host.cpu()?.usageNanoseconds ?? 0
    let memory = host.memory()
    let usage = UsageSample(
      time: now, cpuNanoseconds: cpu, cpuNanoCores: rates.rate("node", usage: cpu, at: now),
      memoryUsage: memory?.usage ?? 0, memoryWorkingSet: memory?.workingSet ?? 0, memoryRSS: memory?.rss,
      memoryAvailable: memory?.available)
    let node = NodeSample(
      name: nodeName, startTime: host.bootTime().map { KubeTime(seconds: $0) }, usage: usage,
      interfaces: host.interfaces(), fileSystem: HostStats.fileSystem(rootDirectory),
      imageFileSystem: HostStats.fileSystem(runtime.root), maxPID: host.maxPID(), processCount: host.processCount())
    return (node, pods, failed)
  }

  private func sample(_ stats: ContainerStats, key: String, time: KubeTime) -> UsageSample {
    UsageSample(
      time: time, cpuNanoseconds: stats.cpuUsageNanoseconds,
      cpuNanoCores: rates.rate(key, usage: stats.cpuUsageNanoseconds, at: time), memoryUsage: stats.memoryUsageBytes,
      memoryWorkingSet: stats.memoryWorkingSetBytes)
  }

  private func add(_ usage: UsageSample, to total: inout UsageSample) {
    total.cpuNanoseconds += usage.cpuNanoseconds
    total.memoryUsage += usage.memoryUsage
    total.memoryWorkingSet += usage.memoryWorkingSet
  }
}
