import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite(.serialized) struct DaemonSetUpdateStrategyTests {
  static func setImage(_ client: KubeClient, _ name: String, _ image: String) async throws {
    try await client.patch(
      .daemonSets, namespace: "default", name: name,
      ["spec": ["template": ["spec": ["containers": WorkloadFixtures.container(image: image)]]]], as: .strategic)
  }

  static func images(_ client: KubeClient, _ name: String) async throws -> [String] {
    try await DaemonSetControllerTests.pods(client, of: name).filter { !$0.metadata.isBeingDeleted }
      .compactMap { $0["spec"]?["containers"]?[0]?["image"]?.stringValue }.sorted()
  }

  @Test func surgeStartsNewPodsBesideAvailableOldOnes() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    let nodes = ["node-1", "node-2", "node-3"]
    for name in nodes { try await WorkloadFixtures.createNode(client, name) }
    var set = DaemonSetControllerTests.daemonSet("agent")
    set["spec"]?["updateStrategy"] = [
      "type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1, "maxUnavailable": 0],
    ]
    try await client.create(.daemonSets, namespace: "default", set)
    let kubelet = WorkloadTestKubelet(client: client)
    try await cluster.eventually("three available") {
      try await kubelet.step()
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["numberAvailable"]?.intValue == 3 ? true : nil
    }
    try await Self.setImage(client, "agent", "busybox:2")
    try await cluster.eventually(timeout: .seconds(60), "surged through every node") {
      try await kubelet.step(daemonNodes: nodes)
      let pods = try await DaemonSetControllerTests.pods(client, of: "agent")
      let done =
        pods.count == 3 && pods.allSatisfy(WorkloadTestKubelet.isReady)
        && pods.allSatisfy { $0["spec"]?["containers"]?[0]?["image"]?.stringValue == "busybox:2" }
      return done ? true : nil
    }
    let seen = kubelet.observations
    #expect(seen.maxUnavailable == 0, "surge keeps every node served")
    #expect(seen.maxPods == 4, "at most maxSurge extra pods, and the surge was used")
    #expect(seen.deletions.count == 3)
  }

  @Test func onDeleteReplacesOnlyDeletedPods() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    for name in ["node-1", "node-2"] { try await WorkloadFixtures.createNode(client, name) }
    var set = DaemonSetControllerTests.daemonSet("agent")
    set["spec"]?["updateStrategy"] = ["type": "OnDelete"]
    try await client.create(.daemonSets, namespace: "default", set)
    let kubelet = WorkloadTestKubelet(client: client)
    try await cluster.eventually("two available") {
      try await kubelet.step()
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["numberAvailable"]?.intValue == 2 ? true : nil
    }
    try await Self.setImage(client, "agent", "busybox:2")
    let observed = try await cluster.eventually("new template observed") {
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["observedGeneration"]?.intValue == 2 ? set : nil
    }
    #expect(observed["status"]?["updatedNumberScheduled"] == nil)
    #expect(try await Self.images(client, "agent") == ["busybox:1", "busybox:1"])

    let victim = try #require(
      try await DaemonSetControllerTests.pods(client, of: "agent").first {
        WorkloadTestKubelet.node(of: $0) == "node-2"
      })
    try await client.delete(.pods, namespace: "default", name: victim.metadata.name ?? "")
    try await cluster.eventually("node-2 runs the new template") {
      try await kubelet.step()
      let pods = try await DaemonSetControllerTests.pods(client, of: "agent").filter { !$0.metadata.isBeingDeleted }
      let onNode2 = pods.first { WorkloadTestKubelet.node(of: $0) == "node-2" }
      return onNode2?["spec"]?["containers"]?[0]?["image"]?.stringValue == "busybox:2" ? true : nil
    }
    #expect(try await Self.images(client, "agent") == ["busybox:1", "busybox:2"])
    try await cluster.eventually("status counts one updated") {
      let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
      return set["status"]?["updatedNumberScheduled"]?.intValue == 1 ? true : nil
    }
  }

  @Test func oldRevisionsBeyondTheHistoryLimitAreDeleted() async throws {
    let cluster = try await TestCluster.start { [DaemonSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    var set = DaemonSetControllerTests.daemonSet("agent")
    set["spec"]?["revisionHistoryLimit"] = 1
    try await client.create(.daemonSets, namespace: "default", set)
    let kubelet = WorkloadTestKubelet(client: client)
    // Each template must be seen by the controller to get a revision: roll out one at a time.
    for image in ["busybox:1", "busybox:2", "busybox:3", "busybox:4"] {
      if image != "busybox:1" { try await Self.setImage(client, "agent", image) }
      try await cluster.eventually("\(image) rolled out") {
        try await kubelet.step()
        let set = try await client.get(.daemonSets, namespace: "default", name: "agent")
        let done =
          set["status"]?["observedGeneration"]?.intValue == set.metadata.generation
          && set["status"]?["updatedNumberScheduled"]?.intValue == 1
          && set["status"]?["numberAvailable"]?.intValue == 1
        let images = try await Self.images(client, "agent")
        return done && images == [image] ? true : nil
      }
    }
    // The current revision and one old one remain (the newest numbers; upstream renumbers
    // nothing here), once the trimming sync has run.
    try await cluster.eventually("history trimmed to the limit") {
      let numbers = try await client.list(.controllerRevisions, namespace: "default").items
        .compactMap { $0["revision"]?.intValue }.sorted()
      return numbers == [3, 4] ? true : nil
    }
  }
}
