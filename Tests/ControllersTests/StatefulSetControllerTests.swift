import Controllers
import Foundation
import KubeAPI
import KubeClient
import Testing

@Suite(.serialized) struct StatefulSetControllerTests {
  static func statefulSet(
    _ name: String, replicas: Int64 = 3, image: String = "busybox:1", parallel: Bool = false,
    claims: [String] = [], retention: (String, String)? = nil, partition: Int64? = nil, historyLimit: Int64? = nil
  ) -> JSONValue {
    var spec: [String: JSONValue] = [
      "replicas": .int(replicas), "serviceName": .string(name),
      "selector": ["matchLabels": ["app": .string(name)]],
      "template": [
        "metadata": ["labels": ["app": .string(name)]],
        "spec": ["containers": WorkloadFixtures.container(image: image)],
      ],
    ]
    if parallel { spec["podManagementPolicy"] = "Parallel" }
    if !claims.isEmpty {
      spec["volumeClaimTemplates"] = .array(
        claims.map {
          [
            "metadata": ["name": .string($0)],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
          ]
        })
    }
    if let (whenDeleted, whenScaled) = retention {
      spec["persistentVolumeClaimRetentionPolicy"] = [
        "whenDeleted": .string(whenDeleted), "whenScaled": .string(whenScaled),
      ]
    }
    if let partition {
      spec["updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]]
    }
    if let historyLimit { spec["revisionHistoryLimit"] = .int(historyLimit) }
    return [
      "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name), "namespace": "default"],
      "spec": .object(spec),
    ]
  }

  static func podNames(_ client: KubeClient, of name: String) async throws -> [String] {
    try await client.list(.pods, namespace: "default", labelSelector: "app=\(name)").items.compactMap(\.metadata.name)
      .sorted()
  }

  static func pod(_ client: KubeClient, _ name: String) async throws -> JSONValue? {
    do { return try await client.get(.pods, namespace: "default", name: name) } catch  where error.isNotFound {
      return nil
    }
  }

  @Test func orderedReadyCreatesInOrderAndScalesDownInReverse() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    try await client.create(.statefulSets, namespace: "default", Self.statefulSet("web"))

    try await cluster.eventually("web-0 created") { try await Self.pod(client, "web-0") }
    // Nothing further while web-0 is not ready.
    try await Task.sleep(for: .milliseconds(800))
    #expect(try await Self.podNames(client, of: "web") == ["web-0"])
    let web0 = try #require(try await Self.pod(client, "web-0"))
    #expect(web0["spec"]?["hostname"]?.stringValue == "web-0")
    #expect(web0["spec"]?["subdomain"]?.stringValue == "web")
    #expect(web0.metadata.labels?["statefulset.kubernetes.io/pod-name"] == "web-0")
    #expect(web0.metadata.labels?["apps.kubernetes.io/pod-index"] == "0")
    let revision = try #require(web0.metadata.labels?["controller-revision-hash"])
    #expect(revision.hasPrefix("web-"))

    try await kubelet.step()
    try await cluster.eventually("web-1 after web-0 is ready") { try await Self.pod(client, "web-1") }
    #expect(try await Self.pod(client, "web-2") == nil)
    try await cluster.eventually("three ready pods") {
      try await kubelet.step()
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      return set["status"]?["readyReplicas"]?.intValue == 3 ? true : nil
    }
    let set = try await client.get(.statefulSets, namespace: "default", name: "web")
    #expect(set["status"]?["currentRevision"]?.stringValue == revision)
    #expect(set["status"]?["updateRevision"]?.stringValue == revision)
    #expect(set["status"]?["availableReplicas"]?.intValue == 3)
    #expect(set["status"]?["currentReplicas"]?.intValue == 3)

    // Scale to one: web-2 goes first, web-1 only once web-2 is gone.
    try await client.patch(.statefulSets, namespace: "default", name: "web", ["spec": ["replicas": 1]])
    try await cluster.eventually("web-2 terminating") {
      try await Self.pod(client, "web-2")?.metadata.isBeingDeleted == true ? true : nil
    }
    #expect(try await Self.pod(client, "web-1")?.metadata.isBeingDeleted == false)
    try await cluster.eventually("scaled down to web-0") {
      try await kubelet.step()
      return try await Self.podNames(client, of: "web") == ["web-0"] ? true : nil
    }
    #expect(kubelet.observations.deletions == ["web-2", "web-1"])
    try await cluster.eventually("create and delete events") {
      let events = try await WorkloadFixtures.events(client, kind: "StatefulSet", name: "web")
      let created = events.contains { $0 == ("SuccessfulCreate", "create Pod web-0 in StatefulSet web successful") }
      let deleted = events.contains { $0 == ("SuccessfulDelete", "delete Pod web-2 in StatefulSet web successful") }
      return created && deleted ? true : nil
    }
  }

  @Test func parallelCreatesAndDeletesAtOnce() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    try await client.create(
      .statefulSets, namespace: "default", Self.statefulSet("burst", replicas: 4, parallel: true))
    // All four exist without any of them being ready.
    try await cluster.eventually("four pods") {
      try await Self.podNames(client, of: "burst") == ["burst-0", "burst-1", "burst-2", "burst-3"] ? true : nil
    }
    try await kubelet.step(makeReady: false)
    try await client.patch(.statefulSets, namespace: "default", name: "burst", ["spec": ["replicas": 1]])
    try await cluster.eventually("three terminating together") {
      let terminating = try await client.list(.pods, namespace: "default").items.filter {
        $0.metadata.isBeingDeleted
      }
      return terminating.count == 3 ? true : nil
    }
    try await kubelet.step(makeReady: false)
    #expect(try await Self.podNames(client, of: "burst") == ["burst-0"])
  }

  @Test func claimsFromTemplatesAndRetentionPolicy() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    let running = kubelet.run()
    defer { running.cancel() }
    let creations = CreationRevisions()
    let from = try await client.list(.pods, namespace: "default").resourceVersion
    let watches = [
      creations.record(client, .pods, from: from), creations.record(client, .persistentVolumeClaims, from: from),
    ]
    defer { for watch in watches { watch.cancel() } }
    try await client.create(
      .statefulSets, namespace: "default",
      Self.statefulSet("db", replicas: 2, claims: ["data"], retention: ("Delete", "Delete")))
    try await client.create(
      .statefulSets, namespace: "default", Self.statefulSet("keep", replicas: 1, claims: ["data"]))

    let set = try await cluster.eventually("db ready") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "db")
      return set["status"]?["readyReplicas"]?.intValue == 2 ? set : nil
    }
    for ordinal in 0..<2 {
      let claim = try await client.get(.persistentVolumeClaims, namespace: "default", name: "data-db-\(ordinal)")
      let pod = try await client.get(.pods, namespace: "default", name: "db-\(ordinal)")
      #expect(claim.metadata.labels?["app"] == "db")
      // Created before its pod: an earlier store revision.
      let claimCreated = try await cluster.eventually("the claim's ADDED event") {
        creations.revision(.persistentVolumeClaims, "data-db-\(ordinal)")
      }
      let podCreated = try await cluster.eventually("the pod's ADDED event") {
        creations.revision(.pods, "db-\(ordinal)")
      }
      #expect(claimCreated < podCreated)
      let volume = pod["spec"]?["volumes"]?.arrayValue?.first { $0["name"]?.stringValue == "data" }
      #expect(volume?["persistentVolumeClaim"]?["claimName"]?.stringValue == "data-db-\(ordinal)")
    }
    // whenDeleted=Delete: the set controls its claims (the garbage collector deletes them with it).
    try await cluster.eventually("claims owned by the set") {
      let claim = try await client.get(.persistentVolumeClaims, namespace: "default", name: "data-db-1")
      let owner = claim.metadata.controllerReference
      return owner?.kind == "StatefulSet" && owner?.uid == set.metadata.uid ? true : nil
    }
    // whenScaled=Delete: a scaled-down ordinal's claim is handed to its pod instead.
    let db1 = try await client.get(.pods, namespace: "default", name: "db-1")
    try await client.patch(.statefulSets, namespace: "default", name: "db", ["spec": ["replicas": 1]])
    try await cluster.eventually("data-db-1 owned by pod db-1") {
      let claim = try await client.get(.persistentVolumeClaims, namespace: "default", name: "data-db-1")
      let refs = claim.metadata.ownerReferences ?? []
      return refs.count == 1 && refs[0].kind == "Pod" && refs[0].uid == db1.metadata.uid && refs[0].controller == true
        ? true : nil
    }
    try await cluster.eventually("db-1 gone") { try await Self.pod(client, "db-1") == nil ? true : nil }
    let kept = try await client.get(.persistentVolumeClaims, namespace: "default", name: "data-db-0")
    #expect(kept.metadata.controllerReference?.kind == "StatefulSet")
    // Retain (the default): no owner references at all.
    let retained = try await cluster.eventually("keep's claim") {
      try await client.get(.persistentVolumeClaims, namespace: "default", name: "data-keep-0")
    }
    try await cluster.eventually("keep ready") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "keep")
      return set["status"]?["readyReplicas"]?.intValue == 1 ? true : nil
    }
    #expect(retained.metadata.ownerReferences == nil)
    try await cluster.eventually("the claim creation event") {
      let events = try await WorkloadFixtures.events(client, kind: "StatefulSet", name: "db")
      return events.contains { $0 == ("SuccessfulCreate", "create Claim data-db-0 Pod db-0 in StatefulSet db success") }
        ? true : nil
    }
  }

  @Test func rollingUpdateWithPartitionAndHistoryLimit() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    let running = kubelet.run()
    defer { running.cancel() }
    try await client.create(
      .statefulSets, namespace: "default", Self.statefulSet("web", partition: 2, historyLimit: 1))
    let first = try await cluster.eventually("three ready") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      return set["status"]?["readyReplicas"]?.intValue == 3 ? set : nil
    }
    let firstRevision = try #require(first["status"]?["currentRevision"]?.stringValue)

    @Sendable func setImage(_ image: String) async throws {
      try await client.patch(
        .statefulSets, namespace: "default", name: "web",
        ["spec": ["template": ["spec": ["containers": WorkloadFixtures.container(image: image)]]]], as: .strategic)
    }
    @Sendable func images() async throws -> [String] {
      var images: [String] = []
      for ordinal in 0..<3 {
        let pod = try await client.get(.pods, namespace: "default", name: "web-\(ordinal)")
        images.append(pod.metadata.isBeingDeleted ? "" : pod["spec"]?["containers"]?[0]?["image"]?.stringValue ?? "")
      }
      return images
    }
    try await setImage("busybox:2")
    let partial = try await cluster.eventually("only web-2 updated") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let done =
        try await images() == ["busybox:1", "busybox:1", "busybox:2"]
        && set["status"]?["updatedReplicas"]?.intValue == 1 && set["status"]?["readyReplicas"]?.intValue == 3
      return done ? set : nil
    }
    #expect(partial["status"]?["currentRevision"]?.stringValue == firstRevision)
    #expect(partial["status"]?["updateRevision"]?.stringValue != firstRevision)
    try await Task.sleep(for: .milliseconds(500))
    #expect(try await images() == ["busybox:1", "busybox:1", "busybox:2"])

    try await client.patch(
      .statefulSets, namespace: "default", name: "web",
      ["spec": ["updateStrategy": ["rollingUpdate": ["partition": 0]]]])
    let done = try await cluster.eventually(timeout: .seconds(60), "all updated") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let status = set["status"]
      return status?["updatedReplicas"]?.intValue == 3 && status?["readyReplicas"]?.intValue == 3
        && status?["currentRevision"] == status?["updateRevision"] ? set : nil
    }
    #expect(try await images() == ["busybox:2", "busybox:2", "busybox:2"])
    #expect(kubelet.observations.deletions == ["web-2", "web-1", "web-0"])
    #expect(done["status"]?["currentReplicas"]?.intValue == 3)

    // With revisionHistoryLimit 1, a third template leaves the current one plus one old one.
    try await setImage("busybox:3")
    try await cluster.eventually(timeout: .seconds(60), "third template rolled out, history trimmed") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let revisions = try await client.list(.controllerRevisions, namespace: "default").items
      let rolled =
        set["status"]?["observedGeneration"]?.intValue == set.metadata.generation
        && set["status"]?["updatedReplicas"]?.intValue == 3
        && set["status"]?["currentRevision"] == set["status"]?["updateRevision"]
      let numbers = revisions.compactMap { $0["revision"]?.intValue }.sorted()
      return rolled && numbers == [2, 3] ? true : nil
    }
  }

  @Test func kubectlRolloutStatusAndUndo() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    let running = kubelet.run()
    defer { running.cancel() }
    try await client.create(.statefulSets, namespace: "default", Self.statefulSet("web", replicas: 2))

    let status = try await cluster.kubectl("rollout", "status", "sts/web", "--timeout=60s")
    #expect(status.contains("partitioned roll out complete: 2 new pods have been updated"))
    let initial = try await client.get(.statefulSets, namespace: "default", name: "web")
    let firstRevision = try #require(initial["status"]?["currentRevision"]?.stringValue)
    _ = try await cluster.kubectl("set", "image", "sts/web", "app=busybox:2")
    _ = try await cluster.kubectl("rollout", "status", "sts/web", "--timeout=60s")
    let history = try await cluster.kubectl("rollout", "history", "sts/web")
    #expect(history.contains("REVISION"))
    let detail = try await cluster.kubectl("rollout", "history", "sts/web", "--revision=2")
    #expect(detail.contains("busybox:2"))

    let undo = try await cluster.kubectl("rollout", "undo", "sts/web")
    #expect(undo.contains("rolled back"))
    let back = try await cluster.eventually(timeout: .seconds(60), "back on the first revision") {
      let set = try await client.get(.statefulSets, namespace: "default", name: "web")
      let status = set["status"]
      let pods = try await client.list(.pods, namespace: "default", labelSelector: "app=web").items
      let onFirst =
        pods.count == 2
        && pods.allSatisfy {
          $0.metadata.labels?["controller-revision-hash"] == firstRevision && WorkloadTestKubelet.isReady($0)
        }
      return onFirst && status?["currentRevision"]?.stringValue == firstRevision
        && status?["updateRevision"]?.stringValue == firstRevision ? set : nil
    }
    #expect(back["status"]?["updatedReplicas"]?.intValue == 2)
    let reused = try await client.get(.controllerRevisions, namespace: "default", name: firstRevision)
    #expect(reused["revision"]?.intValue == 3)
    let after = try await cluster.kubectl("rollout", "history", "sts/web")
    let numbers = after.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").first }
    #expect(numbers == ["2", "3"])
  }

  @Test func failedPodIsRecreatedWithItsIdentity() async throws {
    let cluster = try await TestCluster.start { [StatefulSetController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let client = cluster.client
    try await WorkloadFixtures.createNode(client, "node-1")
    let kubelet = WorkloadTestKubelet(client: client, defaultNode: "node-1")
    try await client.create(.statefulSets, namespace: "default", Self.statefulSet("web", replicas: 1))
    let first = try await cluster.eventually("web-0 ready") {
      try await kubelet.step()
      let pod = try await Self.pod(client, "web-0")
      return pod.map(WorkloadTestKubelet.isReady) == true ? pod : nil
    }
    try await kubelet.markFailed("web-0")
    let second = try await cluster.eventually("web-0 recreated") {
      try await kubelet.step()
      let pod = try await Self.pod(client, "web-0")
      return pod?.metadata.uid != first.metadata.uid && pod.map(WorkloadTestKubelet.isReady) == true ? pod : nil
    }
    #expect(second["spec"]?["hostname"]?.stringValue == "web-0")
    try await cluster.eventually("the RecreatingFailedPod event") {
      let events = try await WorkloadFixtures.events(client, kind: "StatefulSet", name: "web")
      return events.contains { $0 == ("RecreatingFailedPod", "StatefulSet default/web is recreating failed Pod web-0") }
        ? true : nil
    }
  }
}
