import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite(.serialized) struct StatefulSetUpdateStrategyTests {
  static func setImage(_ client: KubeClient, _ name: String, _ image: String) async throws {
    try await client.patch(
      .statefulSets, namespace: "default", name: name,
      ["spec": ["template": ["spec": ["containers": WorkloadFixtures.container(image: image)]]]], as: .strategic)
  }

  static func image(_ client: KubeClient, _ pod: String) async throws -> String? {
    try await StatefulSetControllerTests.pod(client, pod)?["spec"]?["containers"]?[0]?["image"]?.stringValue
  }

  @Test func onDeleteWithStartOrdinal() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    let running = kubelet.run()
    defer { running.cancel() }
    var set = StatefulSetControllerTests.statefulSet("web", replicas: 2)
    set["spec"]?["updateStrategy"] = ["type": "OnDelete"]
    set["spec"]?["ordinals"] = ["start": 5]
    try await client.create(.statefulSets, namespace: "default", set)
    try await cluster.eventually("web-5 and web-6 ready") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      return set["status"]?["readyReplicas"]?.intValue == 2 ? true : nil
    }
    #expect(try await StatefulSetControllerTests.podNames(client, of: "web") == ["web-5", "web-6"])
    let web5 = try #require(try await StatefulSetControllerTests.pod(client, "web-5"))
    #expect(web5.metadata.labels?["apps.kubernetes.io/pod-index"] == "5")

    try await Self.setImage(client, "web", "busybox:2")
    let observed = try await cluster.eventually("new revision observed") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      return set["status"]?["observedGeneration"]?.intValue == 2 ? set : nil
    }
    #expect(observed["status"]?["updateRevision"] != observed["status"]?["currentRevision"])
    try await Task.sleep(for: .milliseconds(500))
    #expect(try await Self.image(client, "web-6") == "busybox:1")

    try await client.delete(.pods, namespace: "default", name: "web-6")
    try await cluster.eventually("web-6 recreated from the new template") {
      try await Self.image(client, "web-6") == "busybox:2" ? true : nil
    }
    let status = try await cluster.eventually("one updated, one current") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let status = set["status"]
      return status?["updatedReplicas"]?.intValue == 1 && status?["readyReplicas"]?.intValue == 2 ? status : nil
    }
    #expect(status["currentReplicas"]?.intValue == 1)
    #expect(try await Self.image(client, "web-5") == "busybox:1")
  }

  @Test func maxUnavailableReplacesSeveralAtOnce() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    var set = StatefulSetControllerTests.statefulSet("web", replicas: 5, parallel: true)
    set["spec"]?["updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0, "maxUnavailable": 2]]
    try await client.create(.statefulSets, namespace: "default", set)
    try await cluster.eventually("five ready") {
      try await kubelet.step()
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      return set["status"]?["readyReplicas"]?.intValue == 5 ? true : nil
    }
    try await Self.setImage(client, "web", "busybox:2")
    let expected = (0..<5).map { "web-\($0)" }
    try await cluster.eventually(timeout: .seconds(60), "all five updated") {
      try await kubelet.step(expectedPods: expected)
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let status = set["status"]
      return status?["observedGeneration"]?.intValue == set.metadata.generation
        && status?["updatedReplicas"]?.intValue == 5 && status?["readyReplicas"]?.intValue == 5
        && status?["currentRevision"] == status?["updateRevision"] ? true : nil
    }
    let seen = kubelet.observations
    #expect(seen.maxUnavailable <= 2)
    #expect(seen.deletions.count == 5)
    #expect(Set(seen.deletions.prefix(2)) == ["web-3", "web-4"], "highest ordinals first, two at a time")
    #expect(seen.maxUnavailable == 2, "the room maxUnavailable gives is used")
  }
}
