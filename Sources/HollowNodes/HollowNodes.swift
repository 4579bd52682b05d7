import KubeAPI
import KubeClient
import Logging
import SkiffCore
import Synchronization

/// Simulated nodes for control-plane scale tests (as kubemark's hollow nodes): each registers a
/// Node, renews its Lease every 10 s like a kubelet, and moves the pods bound to it through
/// their lifecycle — Running and Ready at once, deleted when the API marks them for deletion —
/// without running any container. One pod informer serves all of them.
///
/// A pod that should finish (a Job's) says so with annotations: `skiff.io/hollow-run-seconds`
/// (how long it "runs") and `skiff.io/hollow-exit-code` (0 = Succeeded, else Failed).
public final class HollowNodes: Sendable {
  public struct Configuration: Sendable {
    public var count: Int
    public var namePrefix = "hollow-node-"
    public var cpu = "4"
    public var memory = "16Gi"
    public var pods: Int64 = 110
    public var heartbeat: Duration = .seconds(10)
    public var labels: [String: String] = [:]
    /// Workers applying pod status changes.
    public var workers = 4

    public init(count: Int) {
      self.count = count
    }
  }

  public static let runSecondsAnnotation = "skiff.io/hollow-run-seconds"
  public static let exitCodeAnnotation = "skiff.io/hollow-exit-code"

  let client: KubeClient
  let configuration: Configuration
  let clock: any WallClock
  let logger: Logger
  let queue = WorkQueue()
  private let stopped = Mutex<Set<String>>([])
  private let addresses = Mutex<[String: Int]>([:])

  public init(
    client: KubeClient, configuration: Configuration, clock: any WallClock = SystemClock(),
    logger: Logger = Logger(label: "hollow-nodes")
  ) {
    self.client = client
    self.configuration = configuration
    self.clock = clock
    self.logger = logger
  }

  public var nodeNames: [String] { (0..<configuration.count).map { "\(configuration.namePrefix)\($0)" } }

  /// Stops heartbeats and pod handling of one node, as if its machine died.
  public func kill(node: String) {
    _ = stopped.withLock { $0.insert(node) }
  }

  var stoppedNodes: Set<String> { stopped.withLock { $0 } }

  /// The next host number for a pod on `node`.
  func nextAddress(_ node: String) -> Int {
    addresses.withLock { counters in
      defer { counters[node, default: 0] += 1 }
      return counters[node, default: 0]
    }
  }

  /// Registers the nodes, then heartbeats and runs their pods until cancelled.
  public func run() async {
    let names = Set(nodeNames)
    let pods = Informer(client: client, type: .pods, logger: logger)
    let nodes = Informer(client: client, type: .nodes, logger: logger)
    pods.onEvent { [queue] event in
      guard let node = event.object["spec"]?["nodeName"]?.stringValue, names.contains(node) else { return }
      queue.add(ObjectCache.key(event.object))
    }
    await withDiscardingTaskGroup { group in
      for (index, name) in nodeNames.enumerated() {
        group.addTask { await self.heartbeat(name, index: index) }
      }
      group.addTask { await pods.run() }
      group.addTask { await nodes.run() }
      group.addTask {
        await self.queue.run(workers: self.configuration.workers) { key in
          try await self.syncPod(key, pods: pods.cache, nodes: nodes.cache)
        }
      }
    }
  }

  // MARK: - Nodes

  func nodeObject(_ name: String, index: Int) -> JSONValue {
    let now = KubeTime(clock: clock).rfc3339
    let resources: JSONValue = [
      "cpu": .string(configuration.cpu), "memory": .string(configuration.memory),
      "pods": .string(String(configuration.pods)),
      "ephemeral-storage": "100Gi",
    ]
    var labels: [String: JSONValue] = [
      "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
      "node.skiff.io/hollow": "true",
    ]
    for (key, value) in configuration.labels { labels[key] = .string(value) }
    func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
      [
        "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
        "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
      ]
    }
    return [
      "apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(labels)],
      "spec": [:],
      "status": [
        "capacity": resources, "allocatable": resources,
        "conditions": [
          condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
          condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
          condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
          condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "addresses": [
          ["type": "InternalIP", "address": .string("10.255.\(index / 250).\(index % 250 + 1)")],
          ["type": "Hostname", "address": .string(name)],
        ],
        "nodeInfo": [
          "kubeletVersion": .string("v1.32.0-skiff-hollow"), "kubeProxyVersion": "", "operatingSystem": "linux",
          "architecture": "amd64", "containerRuntimeVersion": "hollow://0", "osImage": "hollow",
          "kernelVersion": "hollow", "machineID": "", "systemUUID": "", "bootID": "",
        ],
        "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
      ],
    ]
  }

  /// Registers the node (status included), then renews its Lease every heartbeat.
  func heartbeat(_ name: String, index: Int) async {
    while !Task.isCancelled {
      do {
        try await register(name, index: index)
        break
      } catch {
        logger.debug("hollow node registration failed", metadata: ["node": "\(name)", "error": "\(error)"])
        try? await Task.sleep(for: .seconds(1))
      }
    }
    while !Task.isCancelled {
      if !stopped.withLock({ $0.contains(name) }) {
        do {
          try await renewLease(name)
        } catch {
          logger.debug("hollow lease renewal failed", metadata: ["node": "\(name)", "error": "\(error)"])
        }
      }
      try? await Task.sleep(for: configuration.heartbeat)
    }
  }

  private func register(_ name: String, index: Int) async throws {
    let node = nodeObject(name, index: index)
    do {
      try await client.create(.nodes, node)
    } catch  where error.isAlreadyExists {}
    let current = try await client.get(.nodes, name: name)
    var updated = current
    updated["status"] = node["status"]
    try await client.update(.nodes, updated, subresource: "status")
  }

  private func renewLease(_ name: String) async throws {
    try await client.renewNodeLease(name, renewTime: KubeTime(clock: clock).rfc3339Micro)
  }
}
