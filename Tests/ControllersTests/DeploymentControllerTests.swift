import Controllers
import KubeAPI
import KubeClient
import Synchronization
import Testing

/// Deployments end to end: scheduler, ReplicaSet and Deployment controllers over hollow nodes,
/// driven by the real kubectl.
@Suite(.serialized) struct DeploymentControllerTests {
  static func workloads(_ context: ControllerContext) -> [any Controller] {
    [
      SchedulerController(context: context), ReplicaSetController(context: context),
      DeploymentController(context: context), GarbageCollector(context: context),
    ]
  }

  static func deployment(_ name: String, replicas: Int64, image: String) -> JSONValue {
    [
      "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "default"],
      "spec": [
        "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
        "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 1]],
        "template": [
          "metadata": ["labels": ["app": .string(name)]],
          "spec": ["containers": [["name": "app", "image": .string(image)]]],
        ],
      ],
    ]
  }

  static func livePods(_ cluster: TestCluster, app: String) async throws -> [JSONValue] {
    try await cluster.client.list(.pods, namespace: "default", labelSelector: "app=\(app)").items.filter {
      !$0.metadata.isBeingDeleted
    }
  }

  @Test func rollingUpdateStaysWithinSurgeAndUnavailabilityThenRollsBack() async throws {
    let cluster = try await TestCluster.start(nodes: 3, controllers: Self.workloads)
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(.deployments, Self.deployment("web", replicas: 4, image: "registry.local/web:v1"))
    let first = try await cluster.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    #expect(first.contains("successfully rolled out"))

    // Watch every step of the rollout: never more than 4+1 pods, never fewer than 4-1 ready.
    let extremes = Mutex((most: 0, fewestReady: Int.max))
    let monitor = Task {
      while !Task.isCancelled {
        if let pods = try? await Self.livePods(cluster, app: "web") {
          let ready = pods.filter { pod in
            pod["status"]?["conditions"]?.arrayValue?.contains {
              $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            } ?? false
          }.count
          extremes.withLock { $0 = (max($0.most, pods.count), min($0.fewestReady, ready)) }
        }
        try? await Task.sleep(for: .milliseconds(10))
      }
    }
    _ = try await cluster.kubectl("set", "image", "deployment/web", "app=registry.local/web:v2")
    let second = try await cluster.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    monitor.cancel()
    await monitor.value
    #expect(second.contains("successfully rolled out"))
    let (most, fewestReady) = extremes.withLock { $0 }
    #expect(most <= 5, "maxSurge 1 over 4 replicas allows 5 pods, saw \(most)")
    #expect(fewestReady >= 3, "maxUnavailable 1 of 4 needs 3 ready, saw \(fewestReady)")
    let images = try await Self.livePods(cluster, app: "web").map {
      $0["spec"]?["containers"]?[0]?["image"]?.stringValue
    }
    #expect(images == Array(repeating: "registry.local/web:v2", count: 4))

    let history = try await cluster.kubectl("rollout", "history", "deployment/web")
    #expect(history.contains("1 ") && history.contains("2 "))
    _ = try await cluster.kubectl("rollout", "undo", "deployment/web")
    _ = try await cluster.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
    try await cluster.eventually("pods back on v1") {
      let pods = try await Self.livePods(cluster, app: "web")
      let v1 = pods.filter { $0["spec"]?["containers"]?[0]?["image"]?.stringValue == "registry.local/web:v1" }
      return pods.count == 4 && v1.count == 4 ? true : nil
    }
    let deployment = try await cluster.client.get(.deployments, namespace: "default", name: "web")
    #expect(deployment.metadata.annotations?["deployment.kubernetes.io/revision"] == "3")

    _ = try await cluster.kubectl("scale", "deployment/web", "--replicas=2")
    try await cluster.eventually("scaled to 2") {
      try await Self.livePods(cluster, app: "web").count == 2 ? true : nil
    }
  }

  @Test func recreateStopsOldPodsBeforeStartingNewOnes() async throws {
    let cluster = try await TestCluster.start(nodes: 2, controllers: Self.workloads)
    defer { Task { await cluster.stop() } }
    var deployment = Self.deployment("batch", replicas: 3, image: "registry.local/batch:v1")
    deployment["spec"]?["strategy"] = ["type": "Recreate"]
    try await cluster.client.create(.deployments, deployment)
    _ = try await cluster.kubectl("rollout", "status", "deployment/batch", "--timeout=60s")
    let mixed = Mutex(false)
    let monitor = Task {
      while !Task.isCancelled {
        if let pods = try? await Self.livePods(cluster, app: "batch") {
          let images = Set(pods.compactMap { $0["spec"]?["containers"]?[0]?["image"]?.stringValue })
          if images.count > 1 { mixed.withLock { $0 = true } }
        }
        try? await Task.sleep(for: .milliseconds(10))
      }
    }
    _ = try await cluster.kubectl("set", "image", "deployment/batch", "app=registry.local/batch:v2")
    _ = try await cluster.kubectl("rollout", "status", "deployment/batch", "--timeout=60s")
    monitor.cancel()
    await monitor.value
    #expect(!mixed.withLock { $0 }, "Recreate never runs old and new pods together")
  }

  @Test func unschedulablePodsReportWhyAndRetryWhenANodeArrives() async throws {
    let cluster = try await TestCluster.start(nodes: 2, controllers: Self.workloads)
    defer { Task { await cluster.stop() } }
    try await cluster.eventually("two nodes") {
      try await cluster.client.list(.nodes).items.count == 2 ? true : nil
    }
    try await cluster.client.create(
      .pods,
      [
        "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "picky", "namespace": "default"],
        "spec": [
          "nodeSelector": ["disk": "ssd"], "containers": [["name": "app", "image": "registry.local/app:v1"]],
        ],
      ])
    let condition = try await cluster.eventually("PodScheduled=False") {
      let pod = try await cluster.client.get(.pods, namespace: "default", name: "picky")
      return pod["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "PodScheduled" }
    }
    #expect(condition["reason"]?.stringValue == "Unschedulable")
    #expect(
      condition["message"]?.stringValue
        == "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
    )
    let events = try await cluster.kubectl("get", "events", "--field-selector", "reason=FailedScheduling")
    #expect(events.contains("didn't match Pod's node affinity/selector"))
    _ = try await cluster.kubectl("label", "node", "hollow-node-1", "disk=ssd")
    let node = try await cluster.eventually("picky scheduled") {
      try await cluster.client.get(.pods, namespace: "default", name: "picky")["spec"]?["nodeName"]?.stringValue
    }
    #expect(node == "hollow-node-1")
  }
}
