import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite(.serialized) struct DaemonSetControllerTests {
  static func daemonSet(
    _ name: String, image: String = "busybox:1", tolerations: [JSONValue] = [], nodeSelector: [String: String] = [:],
    maxUnavailable: JSONValue? = nil
  ) -> JSONValue {
    var spec: [String: JSONValue] = ["containers": WorkloadFixtures.container(image: image)]
    if !tolerations.isEmpty { spec["tolerations"] = .array(tolerations) }
    if !nodeSelector.isEmpty { spec["nodeSelector"] = .object(nodeSelector.mapValues { .string($0) }) }
    var object: JSONValue = [
      "apiVersion": "apps/v1", "kind": "DaemonSet",
      "metadata": ["name": .string(name), "namespace": "default"],
      "spec": [
        "selector": ["matchLabels": ["app": .string(name)]],
        "template": ["metadata": ["labels": ["app": .string(name)]], "spec": .object(spec)],
      ],
    ]
    if let maxUnavailable {
      object["spec"]?["updateStrategy"] = [
        "type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": maxUnavailable, "maxSurge": 0],
      ]
    }
    return object
  }

  static func pods(_ client: KubeClient, of name: String) async throws -> [JSONValue] {
    try await client.list(.pods, namespace: "default", labelSelector: "app=\(name)").items
  }

  /// Nodes with a (not terminating) pod of the set.
  static func nodes(_ client: KubeClient, of name: String) async throws -> Set<String> {
    Set(try await pods(client, of: name).filter { !$0.metadata.isBeingDeleted }.compactMap(WorkloadTestKubelet.node))
  }

  @Test func onePodPerNodeIncludingNodesAddedLater() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    for name in ["node-1", "node-2", "node-3"] { try await WorkloadFixtures.createNode(client, name) }
    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("agent"))

    try await cluster.eventually("a pod on each of three nodes") {
      try await Self.nodes(client, of: "agent") == ["node-1", "node-2", "node-3"] ? true : nil
    }
    let pods = try await Self.pods(client, of: "agent")
    #expect(pods.count == 3)
    let revisions = try await client.list(.controllerRevisions, namespace: "default").items
    #expect(revisions.count == 1)
    let revision = try #require(revisions.first)
    #expect(revision["revision"]?.intValue == 1)
    let hash = try #require(revision.metadata.labels?["controller-revision-hash"])
    #expect(revision.metadata.name == "agent-\(hash)")
    #expect(revision["data"]?["spec"]?["template"]?["$patch"]?.stringValue == "replace")
    for pod in pods {
      #expect(pod.metadata.labels?["controller-revision-hash"] == hash)
      #expect(pod.metadata.generateName == "agent-")
      #expect(pod.metadata.controllerReference?.kind == "DaemonSet")
      let term = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"]]?[
        "nodeSelectorTerms"]?[0]
      #expect(term?["matchFields"]?[0]?["key"]?.stringValue == "metadata.name")
      let tolerations = (pod["spec"]?["tolerations"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
      for key in [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable",
      ] {
        #expect(tolerations.contains(key), "toleration \(key)")
      }
      #expect(!tolerations.contains("node.kubernetes.io/network-unavailable"))
    }

    // A fourth node gets its pod; removed before the pod is bound, the pod goes with it (bound
    // pods of deleted nodes are the pod garbage collector's, as upstream).
    try await WorkloadFixtures.createNode(client, "node-4")
    try await cluster.eventually("a pod on the new node") {
      try await Self.nodes(client, of: "agent").contains("node-4") ? true : nil
    }
    try await client.delete(.nodes, name: "node-4")
    try await cluster.eventually("the pod of the deleted node removed") {
      try await Self.nodes(client, of: "agent") == ["node-1", "node-2", "node-3"] ? true : nil
    }

    // The kubelet binds and starts them; the status counts them ready.
    let kubelet = WorkloadTestKubelet(client: client)
    try await kubelet.step()
    let status = try await cluster.eventually("status with 3 ready") {
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["numberReady"]?.intValue == 3 ? set["status"] : nil
    }
    #expect(status["desiredNumberScheduled"]?.intValue == 3)
    #expect(status["currentNumberScheduled"]?.intValue == 3)
    #expect(status["numberAvailable"]?.intValue == 3)
    #expect(status["updatedNumberScheduled"]?.intValue == 3)
    #expect(status["numberMisscheduled"]?.intValue == 0)
    #expect(status["observedGeneration"]?.intValue == 1)

    // A node the set no longer fits loses its pod, and it counts as misscheduled until then.
    try await client.patch(
      .nodes, name: "node-2", ["spec": ["taints": [WorkloadFixtures.taint("drain", effect: "NoExecute")]]])
    try await cluster.eventually("the pod of the tainted node removed") {
      try await kubelet.step()
      return try await Self.nodes(client, of: "agent") == ["node-1", "node-3"] ? true : nil
    }
    // The kubelet keeps finishing the graceful delete: until the pod is gone it still counts
    // as misscheduled, as upstream.
    try await cluster.eventually("desired count down to 2") {
      try await kubelet.step()
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["desiredNumberScheduled"]?.intValue == 2
        && set["status"]?["numberMisscheduled"]?.intValue == 0 ? true : nil
    }
    try await cluster.eventually("SuccessfulCreate events") {
      let events = try await WorkloadFixtures.events(client, kind: "DaemonSet", name: "agent")
      return events.contains { $0.0 == "SuccessfulCreate" && $0.1.hasPrefix("Created pod: agent-") } ? true : nil
    }
  }

  @Test func taintsTolerationsAndNodeSelector() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "plain")
    try await WorkloadFixtures.createNode(
      client, "dedicated", taints: [WorkloadFixtures.taint("dedicated", "db", effect: "NoSchedule")])
    try await WorkloadFixtures.createNode(client, "ssd", labels: ["disk": "ssd"])
    // Taints every daemon pod tolerates do not keep it off a node.
    try await WorkloadFixtures.createNode(
      client, "cordoned",
      taints: [
        WorkloadFixtures.taint("node.kubernetes.io/unschedulable", effect: "NoSchedule"),
        WorkloadFixtures.taint("node.kubernetes.io/not-ready", effect: "NoExecute"),
      ])

    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("plain"))
    try await client.create(
      .daemonSets, namespace: "default",
      Self.daemonSet("tolerant", tolerations: [["key": "dedicated", "operator": "Exists", "effect": "NoSchedule"]]))
    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("picky", nodeSelector: ["disk": "ssd"]))

    try await cluster.eventually("untolerated taint skipped") {
      try await Self.nodes(client, of: "plain") == ["plain", "ssd", "cordoned"] ? true : nil
    }
    try await cluster.eventually("tolerated taint used") {
      try await Self.nodes(client, of: "tolerant") == ["plain", "dedicated", "ssd", "cordoned"] ? true : nil
    }
    try await cluster.eventually("node selector honoured") {
      try await Self.nodes(client, of: "picky") == ["ssd"] ? true : nil
    }
    let plain = try await client.get(.daemonSets, namespace: "default", name: "plain")
    #expect(plain["status"]?["desiredNumberScheduled"]?.intValue == 3)

    // A NoExecute taint evicts daemon pods that do not tolerate it; a relabelled node loses
    // the selector's pod.
    try await client.patch(
      .nodes, name: "ssd", ["spec": ["taints": [WorkloadFixtures.taint("maintenance", effect: "NoExecute")]]])
    try await client.patch(.nodes, name: "plain", ["metadata": ["labels": ["disk": "ssd"]]])
    try await cluster.eventually("pods moved off the NoExecute node") {
      let plainNodes = try await Self.nodes(client, of: "plain")
      let pickyNodes = try await Self.nodes(client, of: "picky")
      return plainNodes == ["plain", "cordoned"] && pickyNodes == ["plain"] ? true : nil
    }
  }

  @Test func rollingUpdateKeepsWithinMaxUnavailable() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    let nodes = (1...5).map { "node-\($0)" }
    for name in nodes { try await WorkloadFixtures.createNode(client, name) }
    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("agent", maxUnavailable: 2))
    let kubelet = WorkloadTestKubelet(client: client)
    try await cluster.eventually("five ready pods") {
      try await kubelet.step()
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["numberAvailable"]?.intValue == 5 ? true : nil
    }
    let firstHash = try await Self.pods(client, of: "agent")[0].metadata.labels?["controller-revision-hash"]

    try await client.patch(
      .daemonSets, namespace: "default", name: "agent",
      ["spec": ["template": ["spec": ["containers": WorkloadFixtures.container(image: "busybox:2")]]]],
      as: .strategic)
    try await cluster.eventually(timeout: .seconds(60), "all pods replaced") {
      try await kubelet.step(daemonNodes: nodes)
      let pods = try await Self.pods(client, of: "agent")
      let done =
        pods.count == 5
        && pods.allSatisfy {
          $0["spec"]?["containers"]?[0]?["image"]?.stringValue == "busybox:2" && WorkloadTestKubelet.isReady($0)
        }
      return done ? true : nil
    }
    let seen = kubelet.observations
    #expect(seen.maxUnavailable <= 2, "at most maxUnavailable nodes without an available pod")
    #expect(seen.maxUnavailable >= 1)
    #expect(seen.deletions.count == 5)
    let pods = try await Self.pods(client, of: "agent")
    #expect(Set(pods.compactMap { $0.metadata.labels?["controller-revision-hash"] }).count == 1)
    #expect(pods[0].metadata.labels?["controller-revision-hash"] != firstHash)
    let revisions = try await client.list(.controllerRevisions, namespace: "default").items
    #expect(revisions.compactMap { $0["revision"]?.intValue }.sorted() == [1, 2])
    let status = try await cluster.eventually("status caught up") {
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["updatedNumberScheduled"]?.intValue == 5 ? set["status"] : nil
    }
    #expect(status["observedGeneration"]?.intValue == 2)
  }

  @Test func failedDaemonPodIsReplaced() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("agent"))
    let kubelet = WorkloadTestKubelet(client: client)
    let first = try await cluster.eventually("the first pod") {
      try await kubelet.step()
      return try await Self.pods(client, of: "agent").first { WorkloadTestKubelet.isReady($0) }
    }
    try await kubelet.markFailed(first.metadata.name ?? "")
    let replacement = try await cluster.eventually("a replacement pod") {
      try await kubelet.step()
      return try await Self.pods(client, of: "agent").first { $0.metadata.uid != first.metadata.uid }
    }
    #expect(WorkloadTestKubelet.node(of: replacement) == "node-1")
    let events = try await cluster.eventually("the FailedDaemonPod event") {
      let events = try await WorkloadFixtures.events(client, kind: "DaemonSet", name: "agent")
      return events.contains { $0.0 == "FailedDaemonPod" } ? events : nil
    }
    #expect(events.contains { $0.0 == "SuccessfulDelete" && $0.1 == "Deleted pod: \(first.metadata.name ?? "")" })
  }

  @Test func kubectlRolloutStatusHistoryAndUndo() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    for name in ["node-1", "node-2", "node-3"] { try await WorkloadFixtures.createNode(client, name) }
    try await client.create(.daemonSets, namespace: "default", Self.daemonSet("agent"))
    let kubelet = WorkloadTestKubelet(client: client)
    let running = kubelet.run()
    defer { running.cancel() }

    let status = try await cluster.kubectl("rollout", "status", "ds/agent", "--timeout=60s")
    #expect(status.contains("daemon set \"agent\" successfully rolled out"))
    _ = try await cluster.kubectl("set", "image", "ds/agent", "app=busybox:2")
    let second = try await cluster.kubectl("rollout", "status", "ds/agent", "--timeout=60s")
    #expect(second.contains("successfully rolled out"))
    let history = try await cluster.kubectl("rollout", "history", "ds/agent")
    #expect(history.contains("REVISION"))
    #expect(history.split(separator: "\n").filter { $0.hasPrefix("1 ") || $0.hasPrefix("2 ") }.count == 2)
    let detail = try await cluster.kubectl("rollout", "history", "ds/agent", "--revision=1")
    #expect(detail.contains("busybox:1"))

    let undo = try await cluster.kubectl("rollout", "undo", "ds/agent")
    #expect(undo.contains("rolled back"))
    _ = try await cluster.kubectl("rollout", "status", "ds/agent", "--timeout=60s")
    try await cluster.eventually("pods back on the first template") {
      let pods = try await Self.pods(client, of: "agent").filter { !$0.metadata.isBeingDeleted }
      return pods.count == 3 && pods.allSatisfy { $0["spec"]?["containers"]?[0]?["image"]?.stringValue == "busybox:1" }
        ? true : nil
    }
    // The first revision became the newest; history now lists 2 and 3.
    let after = try await cluster.kubectl("rollout", "history", "ds/agent")
    let numbers = after.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").first }
    #expect(numbers == ["2", "3"])
    let again = try await cluster.kubectl("rollout", "undo", "ds/agent", "--to-revision=3")
    #expect(again.contains("skipped rollback"))
  }
}
