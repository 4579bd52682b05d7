import KubeAPI

@testable import Controllers

/// Node and Pod objects shaped like what the API server returns, for the scheduler tests.
enum SchedulerFixtures {
  static func node(
    _ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int64 = 110,
    labels: [String: String] = [:], taints: [JSONValue] = [], unschedulable: Bool = false,
    images: [JSONValue] = [], extraAllocatable: [String: JSONValue] = [:]
  ) -> JSONValue {
    var allLabels = [
      "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
    ]
    allLabels.merge(labels) { _, new in new }
    var allocatable: [String: JSONValue] = [
      "cpu": .string(cpu), "memory": .string(memory), "pods": .string(String(pods)),
      "ephemeral-storage": "50Gi",
    ]
    allocatable.merge(extraAllocatable) { _, new in new }
    var spec: [String: JSONValue] = ["podCIDR": "10.42.0.0/24"]
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    if unschedulable { spec["unschedulable"] = true }
    return [
      "apiVersion": "v1", "kind": "Node",
      "metadata": [
        "name": .string(name), "uid": .string("uid-node-\(name)"), "resourceVersion": "100",
        "labels": .object(allLabels.mapValues { .string($0) }),
      ],
      "spec": .object(spec),
      "status": [
        "capacity": .object(allocatable), "allocatable": .object(allocatable),
        "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady"]],
        "images": .array(images),
      ],
    ]
  }

  static func taint(_ key: String, _ value: String = "", effect: String = "NoSchedule") -> JSONValue {
    value.isEmpty
      ? ["key": .string(key), "effect": .string(effect)]
      : ["key": .string(key), "value": .string(value), "effect": .string(effect)]
  }

  /// A pod with one container `app` (plus any `extraSpec` members, which replace defaults).
  static func pod(
    _ name: String, namespace: String = "default", cpu: String? = nil, memory: String? = nil,
    labels: [String: String] = [:], nodeName: String? = nil, priority: Int64? = nil,
    image: String = "registry.example/app:1.0", hostPort: Int64? = nil, startTime: String? = nil,
    extraSpec: [String: JSONValue] = [:]
  ) -> JSONValue {
    var requests: [String: JSONValue] = [:]
    if let cpu { requests["cpu"] = .string(cpu) }
    if let memory { requests["memory"] = .string(memory) }
    var container: [String: JSONValue] = [
      "name": "app", "image": .string(image), "imagePullPolicy": "IfNotPresent",
      "resources": requests.isEmpty ? [:] : ["requests": .object(requests)],
    ]
    if let hostPort { container["ports"] = [["containerPort": 8080, "hostPort": .int(hostPort), "protocol": "TCP"]] }
    var spec: [String: JSONValue] = [
      "containers": [.object(container)], "restartPolicy": "Always", "schedulerName": "default-scheduler",
      "dnsPolicy": "ClusterFirst", "terminationGracePeriodSeconds": 30,
    ]
    if let nodeName { spec["nodeName"] = .string(nodeName) }
    if let priority { spec["priority"] = .int(priority) }
    spec.merge(extraSpec) { _, new in new }
    var status: [String: JSONValue] = ["phase": nodeName == nil ? "Pending" : "Running"]
    if let startTime { status["startTime"] = .string(startTime) }
    return [
      "apiVersion": "v1", "kind": "Pod",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"),
        "resourceVersion": "200", "labels": .object(labels.mapValues { .string($0) }),
      ],
      "spec": .object(spec),
      "status": .object(status),
    ]
  }

  /// A scheduler over `nodes` and assigned `pods`, with a fixed seed.
  static func scheduler(nodes: [JSONValue], pods: [JSONValue] = [], seed: UInt64 = 42) -> Scheduler {
    var cache = SchedulerCache()
    for node in nodes { cache.addNode(node) }
    for pod in pods { cache.addPod(pod) }
    return Scheduler(cache: cache, seed: seed)
  }
}

extension SchedulingResult {
  var nodeName: String? {
    if case .scheduled(let node, _) = self { return node }
    return nil
  }

  var fitError: FitError? {
    if case .unschedulable(let error) = self { return error }
    return nil
  }

  var volumes: VolumeDecision? {
    if case .scheduled(_, let volumes) = self { return volumes }
    return nil
  }

  var failure: String? {
    if case .failed(let message) = self { return message }
    return nil
  }
}
