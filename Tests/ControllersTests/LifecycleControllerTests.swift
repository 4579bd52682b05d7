import Controllers
import KubeAPI
import KubeClient
import Testing

/// Garbage collection, namespace deletion, node failure and drains, over hollow nodes.
@Suite(.serialized) struct LifecycleControllerTests {
  static func all(_ context: ControllerContext) -> [any Controller] {
    DeploymentControllerTests.workloads(context) + [
      NamespaceController(context: context), NodeLifecycleController(context: context),
      TaintEvictionController(context: context), DisruptionController(context: context),
      EndpointsController(context: context), EndpointSliceController(context: context),
      NodeIPAMController(context: context),
    ]
  }

  @Test func deletingADeploymentCascadesAndOrphanKeepsDependents() async throws {
    let cluster = try await TestCluster.start(nodes: 2, controllers: Self.all)
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(
      .deployments, DeploymentControllerTests.deployment("gc", replicas: 2, image: "r/gc:1"))
    _ = try await cluster.kubectl("rollout", "status", "deployment/gc", "--timeout=60s")
    _ = try await cluster.kubectl("delete", "deployment", "gc")
    try await cluster.eventually("ReplicaSets and pods collected") {
      let sets = try await cluster.client.list(.replicaSets, namespace: "default").items
      let pods = try await DeploymentControllerTests.livePods(cluster, app: "gc")
      return sets.isEmpty && pods.isEmpty ? true : nil
    }

    try await cluster.client.create(
      .deployments, DeploymentControllerTests.deployment("kept", replicas: 2, image: "r/k:1"))
    _ = try await cluster.kubectl("rollout", "status", "deployment/kept", "--timeout=60s")
    _ = try await cluster.kubectl("delete", "deployment", "kept", "--cascade=orphan")
    try await cluster.eventually("orphaned ReplicaSet lost its owner") {
      let sets = try await cluster.client.list(.replicaSets, namespace: "default").items
      return sets.count == 1 && sets[0].metadata.ownerReferences == nil ? true : nil
    }
    #expect(try await DeploymentControllerTests.livePods(cluster, app: "kept").count == 2)

    _ = try await cluster.kubectl("delete", "replicaset", "--all", "--cascade=foreground")
    try await cluster.eventually("foreground deletion removed pods then the ReplicaSet") {
      let sets = try await cluster.client.list(.replicaSets, namespace: "default").items
      let pods = try await cluster.client.list(.pods, namespace: "default").items
      return sets.isEmpty && pods.isEmpty ? true : nil
    }
  }

  @Test func deletingANamespaceRemovesEverythingInIt() async throws {
    let cluster = try await TestCluster.start(nodes: 1, controllers: Self.all)
    defer { Task { await cluster.stop() } }
    _ = try await cluster.kubectl("create", "namespace", "doomed")
    _ = try await cluster.kubectl("-n", "doomed", "create", "configmap", "settings", "--from-literal=a=b")
    _ = try await cluster.kubectl("-n", "doomed", "create", "deployment", "app", "--image=r/app:1", "--replicas=2")
    _ = try await cluster.kubectl("-n", "doomed", "rollout", "status", "deployment/app", "--timeout=60s")
    let output = try await cluster.kubectl("delete", "namespace", "doomed", "--timeout=60s")
    #expect(output.contains("deleted"))
    await #expect(throws: KubeClientError.self) { try await cluster.client.get(.namespaces, name: "doomed") }
    let leftovers = try await cluster.kubectl("get", "configmaps,pods,deployments", "-n", "doomed", "-o", "name")
    #expect(leftovers.isEmpty)
  }

  @Test func silentNodeIsTaintedAndItsPodsReplacedAfterTolerationSeconds() async throws {
    var settings = ControllerSettings()
    settings.nodeMonitorGracePeriod = .seconds(3)
    settings.nodeMonitorPeriod = .milliseconds(500)
    let cluster = try await TestCluster.start(
      settings: settings, nodes: 2, heartbeat: .milliseconds(500), controllers: Self.all)
    defer { Task { await cluster.stop() } }
    var deployment = DeploymentControllerTests.deployment("svc", replicas: 2, image: "r/svc:1")
    deployment["spec"]?["template"]?["spec"]?["tolerations"] = [
      ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 2]
    ]
    deployment["spec"]?["template"]?["spec"]?["affinity"] = [
      "podAntiAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          ["labelSelector": ["matchLabels": ["app": "svc"]], "topologyKey": "kubernetes.io/hostname"]
        ]
      ]
    ]
    deployment["spec"]?["replicas"] = 1
    try await cluster.client.create(.deployments, deployment)
    _ = try await cluster.kubectl("rollout", "status", "deployment/svc", "--timeout=60s")
    let victim = try #require(try await DeploymentControllerTests.livePods(cluster, app: "svc").first)
    let deadNode = try #require(victim["spec"]?["nodeName"]?.stringValue)
    cluster.nodes?.kill(node: deadNode)

    let node = try await cluster.eventually(timeout: .seconds(20), "node \(deadNode) unreachable") {
      let node = try await cluster.client.get(.nodes, name: deadNode)
      let taints = node["spec"]?["taints"]?.arrayValue ?? []
      return taints.contains { $0["key"]?.stringValue == "node.kubernetes.io/unreachable" } ? node : nil
    }
    let ready = node["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
    #expect(ready?["status"]?.stringValue == "Unknown")
    #expect(ready?["reason"]?.stringValue == "NodeStatusUnknown")
    // Evicted after its 2 s toleration (the dead kubelet never confirms, so it stays Terminating)
    // and replaced on the healthy node.
    let replacement = try await cluster.eventually(timeout: .seconds(20), "replacement pod") {
      try await DeploymentControllerTests.livePods(cluster, app: "svc").first {
        $0.metadata.uid != victim.metadata.uid && $0["spec"]?["nodeName"]?.stringValue != nil
      }
    }
    #expect(replacement["spec"]?["nodeName"]?.stringValue != deadNode)
    let evicted = try await cluster.client.get(.pods, namespace: "default", name: victim.metadata.name ?? "")
    #expect(evicted.metadata.isBeingDeleted)
  }

  @Test func drainIsHeldBackByADisruptionBudget() async throws {
    let cluster = try await TestCluster.start(nodes: 1, controllers: Self.all)
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(
      .deployments, DeploymentControllerTests.deployment("db", replicas: 2, image: "r/db:1"))
    _ = try await cluster.kubectl("rollout", "status", "deployment/db", "--timeout=60s")
    _ = try await cluster.kubectl("create", "poddisruptionbudget", "db", "--selector=app=db", "--min-available=2")
    try await cluster.eventually("budget observed") {
      let budget = try await cluster.client.get(.podDisruptionBudgets, namespace: "default", name: "db")
      return budget["status"]?["currentHealthy"]?.intValue == 2 ? true : nil
    }
    let drain = await cluster.kubectlOutput("drain", "hollow-node-0", "--ignore-daemonsets", "--timeout=4s")
    #expect(drain.contains("Cannot evict pod as it would violate the pod's disruption budget"))
    let node = try await cluster.client.get(.nodes, name: "hollow-node-0")
    #expect(node["spec"]?["unschedulable"]?.boolValue == true)
    #expect(try await DeploymentControllerTests.livePods(cluster, app: "db").count == 2)

    // With the budget relaxed, the drain goes through.
    _ = try await cluster.kubectl("patch", "pdb", "db", "--type=merge", "-p", #"{"spec":{"minAvailable":0}}"#)
    try await cluster.eventually("budget allows disruptions") {
      let budget = try await cluster.client.get(.podDisruptionBudgets, namespace: "default", name: "db")
      return budget["status"]?["disruptionsAllowed"]?.intValue == 2 ? true : nil
    }
    let drained = await cluster.kubectlOutput("drain", "hollow-node-0", "--timeout=20s")
    #expect(drained.contains("node/hollow-node-0 drained"))
  }

  @Test func servicesGetEndpointsAndSlicesOfReadyPods() async throws {
    let cluster = try await TestCluster.start(nodes: 2, controllers: Self.all)
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(
      .deployments, DeploymentControllerTests.deployment("api", replicas: 3, image: "r/api:1"))
    _ = try await cluster.kubectl("rollout", "status", "deployment/api", "--timeout=60s")
    _ = try await cluster.kubectl("expose", "deployment", "api", "--port=80", "--target-port=8080")
    let endpoints = try await cluster.eventually("3 endpoint addresses") {
      let endpoints = try await cluster.client.get(.endpoints, namespace: "default", name: "api")
      return endpoints["subsets"]?[0]?["addresses"]?.arrayValue?.count == 3 ? endpoints : nil
    }
    #expect(endpoints["subsets"]?[0]?["ports"]?[0]?["port"]?.intValue == 8080)
    let slices = try await cluster.eventually("an EndpointSlice with 3 ready endpoints") {
      let slices = try await cluster.client.list(
        .endpointSlices, namespace: "default", labelSelector: "kubernetes.io/service-name=api"
      ).items
      let ready = slices.first?["endpoints"]?.arrayValue?.filter { $0["conditions"]?["ready"]?.boolValue == true }
      return slices.count == 1 && ready?.count == 3 ? slices[0] : nil
    }
    #expect(slices["addressType"]?.stringValue == "IPv4")
    let described = try await cluster.kubectl("get", "endpoints", "api")
    #expect(described.contains(":8080"))
  }
}
