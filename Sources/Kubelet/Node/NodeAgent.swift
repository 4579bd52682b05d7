import KubeAPI
import KubeClient
import Logging
import Runtime
import SkiffCore

/// Keeps this machine's Node object true: registers it, renews its Lease every heartbeat, and
/// writes status only when something a reader cares about changed (or every `statusInterval`),
/// because edge boxes run on flash that constant writes wear out.
final class NodeAgent: Sendable {
  static let kubeletVersion = "v1.32.0+skiff-\(SkiffVersion.skiff)"

  let client: KubeClient
  let configuration: KubeletConfiguration
  let images: ImageStore
  let clock: any WallClock
  let logger: Logger

  init(
    client: KubeClient, configuration: KubeletConfiguration, images: ImageStore, clock: any WallClock, logger: Logger
  ) {
    self.client = client
    self.configuration = configuration
    self.images = images
    self.clock = clock
    self.logger = logger
  }

  /// Registers the node, then heartbeats and reports status until cancelled.
  func run() async {
    var lastStatus: JSONValue?
    var lastWrite = ContinuousClock.now
    while !Task.isCancelled {
      do {
        try await register()
        break
      } catch {
        logger.warning("node registration failed; retrying", metadata: ["error": "\(error)"])
        try? await Task.sleep(for: .seconds(2))
      }
    }
    while !Task.isCancelled {
      do {
        try await renewLease()
      } catch {
        logger.warning("node lease renewal failed", metadata: ["error": "\(error)"])
      }
      let status = self.status(facts: NodeFacts.read(filesystem: configuration.directory))
      if lastStatus.map({ Self.comparable($0) }) != Self.comparable(status)
        || ContinuousClock.now - lastWrite >= configuration.statusInterval
      {
        do {
          try await writeStatus(status, previous: lastStatus)
          lastStatus = status
          lastWrite = .now
        } catch {
          logger.warning("node status update failed", metadata: ["error": "\(error)"])
        }
      }
      try? await Task.sleep(for: configuration.heartbeat)
    }
  }

  /// The Node as first created: labels and taints from flags, status as now.
  func nodeObject() throws -> JSONValue {
    let facts = NodeFacts.read(filesystem: configuration.directory)
    let labels = Self.labels(configuration, architecture: facts.architecture).mapValues(JSONValue.string)
    var spec: [String: JSONValue] = [:]
    let taints = try configuration.parsedTaints()
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    return [
      "apiVersion": "v1", "kind": "Node",
      "metadata": [
        "name": .string(configuration.nodeName), "labels": .object(labels),
        "annotations": [
          "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        ],
      ],
      "spec": .object(spec), "status": status(facts: facts),
    ]
  }

  /// The well-known labels, then the ones from `--node-label`.
  static func labels(_ configuration: KubeletConfiguration, architecture: String) -> [String: String] {
    var labels = [
      "kubernetes.io/hostname": configuration.nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": architecture,
      "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": architecture,
      "node.kubernetes.io/instance-type": "skiff",
    ]
    for (key, value) in configuration.labels { labels[key] = value }
    return labels
  }

  private func register() async throws {
    let node = try nodeObject()
    do {
      try await client.create(.nodes, node)
      logger.info("registered node", metadata: ["node": "\(configuration.nodeName)"])
    } catch  where error.isAlreadyExists {
      // A re-registering node keeps labels others added; ours are re-applied.
      try await client.patch(
        .nodes, name: configuration.nodeName, ["metadata": ["labels": node["metadata"]?["labels"] ?? [:]]])
    }
    try await writeStatus(node["status"] ?? [:], previous: nil)
  }

  private func writeStatus(_ status: JSONValue, previous: JSONValue?) async throws {
    var status = status
    // Transition times move only when a condition's status changes.
    if let previous, var conditions = status["conditions"]?.arrayValue {
      let old = previous["conditions"]?.arrayValue ?? []
      for index in conditions.indices {
        let type = conditions[index]["type"]?.stringValue
        if let match = old.first(where: { $0["type"]?.stringValue == type }),
          match["status"] == conditions[index]["status"]
        {
          conditions[index]["lastTransitionTime"] = match["lastTransitionTime"]
        }
      }
      status["conditions"] = .array(conditions)
    }
    try await client.patch(.nodes, name: configuration.nodeName, ["status": status], subresource: "status")
  }

  /// Status without heartbeat times: what decides whether a write is needed.
  static func comparable(_ status: JSONValue) -> JSONValue {
    var copy = status
    copy["conditions"] = .array(
      (status["conditions"]?.arrayValue ?? []).map { condition in
        var condition = condition
        condition["lastHeartbeatTime"] = nil
        condition["lastTransitionTime"] = nil
        return condition
      })
    // Free memory and disk change constantly; only their pressure conditions matter.
    return copy
  }

  func status(facts: NodeFacts) -> JSONValue {
    let now = KubeTime(clock: clock).rfc3339
    let reservedCPU = configuration.reservedCPUMillis
    let capacity: JSONValue = [
      "cpu": .string(String(facts.cpus)), "memory": .string("\(facts.memoryBytes / 1024)Ki"),
      "pods": .string(String(configuration.maxPods)), "ephemeral-storage": .string("\(facts.filesystemBytes / 1024)Ki"),
    ]
    let allocatable: JSONValue = [
      "cpu": .string("\(max(0, Int64(facts.cpus) * 1000 - reservedCPU))m"),
      "memory": .string("\(max(0, facts.memoryBytes - configuration.reservedMemoryBytes) / 1024)Ki"),
      "pods": .string(String(configuration.maxPods)),
      "ephemeral-storage": .string(String(Int64(Double(facts.filesystemBytes) * 0.9))),
    ]
    let pressure = NodePressure(facts: facts, configuration: configuration)
    func condition(_ type: String, _ on: Bool, _ trueReason: String, _ falseReason: String, _ message: String)
      -> JSONValue
    {
      [
        "type": .string(type), "status": on ? "True" : "False", "reason": .string(on ? trueReason : falseReason),
        "message": .string(message), "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
      ]
    }
    let images = images.list().sorted { $0.size > $1.size }.prefix(50).map { record -> JSONValue in
      [
        "names": [.string(record.name), .string("\(record.name)@\(record.manifestDigest)")],
        "sizeBytes": .int(record.size),
      ]
    }
    return [
      "capacity": capacity, "allocatable": allocatable,
      "conditions": [
        condition(
          "MemoryPressure", pressure.memory, "KubeletHasInsufficientMemory", "KubeletHasSufficientMemory",
          pressure.memory ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available"),
        condition(
          "DiskPressure", pressure.disk, "KubeletHasDiskPressure", "KubeletHasNoDiskPressure",
          pressure.disk ? "kubelet has disk pressure" : "kubelet has no disk pressure"),
        condition(
          "PIDPressure", pressure.pids, "KubeletHasInsufficientPID", "KubeletHasSufficientPID",
          pressure.pids ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available"),
        condition("Ready", true, "KubeletReady", "KubeletNotReady", "kubelet is posting ready status"),
      ],
      "addresses": [
        ["type": "InternalIP", "address": .string(configuration.nodeIP)],
        ["type": "Hostname", "address": .string(configuration.nodeName)],
      ],
      "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(configuration.kubeletPort))]],
      "nodeInfo": [
        "machineID": .string(facts.machineID), "systemUUID": .string(facts.machineID), "bootID": .string(facts.bootID),
        "kernelVersion": .string(facts.kernelVersion), "osImage": .string(facts.osImage),
        "containerRuntimeVersion": .string("skiff://\(SkiffVersion.skiff)"),
        "kubeletVersion": .string(Self.kubeletVersion),
        "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": .string(facts.architecture),
      ],
      "images": .array(Array(images)),
    ]
  }

  private func renewLease() async throws {
    try await client.renewNodeLease(configuration.nodeName, renewTime: KubeTime(clock: clock).rfc3339Micro)
  }
}

/// The eviction signals upstream's kubelet watches, against the thresholds configured.
struct NodePressure: Sendable, Equatable {
  var memory: Bool
  var disk: Bool
  var pids: Bool

  init(facts: NodeFacts, configuration: KubeletConfiguration) {
    memory = facts.memoryBytes > 0 && facts.memoryAvailableBytes < configuration.evictionMemoryAvailableBytes
    disk =
      facts.filesystemBytes > 0
      && Double(facts.filesystemAvailableBytes) < Double(facts.filesystemBytes)
        * configuration.evictionNodefsAvailableFraction
    pids = facts.pidMax > 0 && Double(facts.processes) > Double(facts.pidMax) * 0.9
  }
}
