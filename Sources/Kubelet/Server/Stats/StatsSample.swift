import KubeAPI

/// One reading of CPU and memory for a container, a pod or the node.
struct UsageSample: Sendable, Equatable {
  var time: KubeTime
  var cpuNanoseconds: UInt64
  /// Cores × 1e9, from the previous reading; nil on the first.
  var cpuNanoCores: UInt64?
  var memoryUsage: UInt64
  var memoryWorkingSet: UInt64
  var memoryRSS: UInt64?
  var memoryAvailable: UInt64?
}

struct ContainerSample: Sendable, Equatable {
  var name: String
  var startTime: KubeTime?
  var usage: UsageSample
}

struct PodSample: Sendable, Equatable {
  var namespace: String
  var name: String
  var uid: String
  var startTime: KubeTime?
  var containers: [ContainerSample]
  var usage: UsageSample
  var interfaces: [HostStats.Interface]
  var processCount: UInt64
}

struct NodeSample: Sendable, Equatable {
  var name: String
  var startTime: KubeTime?
  var usage: UsageSample
  var interfaces: [HostStats.Interface]
  var fileSystem: HostStats.FileSystem?
  var imageFileSystem: HostStats.FileSystem?
  var maxPID: Int?
  var processCount: Int
}

/// `usageNanoCores` needs two readings: the previous one per key is kept here.
final class CPURateTracker: Sendable {
  private let previous = LockedBox<[String: (UInt64, KubeTime)]>([:])

  func rate(_ key: String, usage: UInt64, at time: KubeTime) -> UInt64? {
    previous.withLock { previous in
      defer { previous[key] = (usage, time) }
      guard let (lastUsage, lastTime) = previous[key], usage >= lastUsage else { return nil }
      let elapsed =
        (time.seconds - lastTime.seconds) * 1_000_000_000 + Int64(time.nanoseconds) - Int64(lastTime.nanoseconds)
      guard elapsed > 0 else { return nil }
      return UInt64(Double(usage - lastUsage) / Double(elapsed) * 1e9)
    }
  }

  /// Forgets keys not seen in the last reading (containers that went away).
  func keep(_ keys: Set<String>) {
    previous.withLock { previous in previous = previous.filter { keys.contains($0.key) } }
  }
}
