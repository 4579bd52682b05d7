import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulerCacheTests {
  @Test func podRequestsCountSidecarsInitPeaksAndOverhead() throws {
    let pod = try JSONValue.parse(
      """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","uid":"u1"},
       "spec":{
         "containers":[{"name":"app","image":"app:1","resources":{"requests":{"cpu":"500m","memory":"256Mi"}}}],
         "initContainers":[
           {"name":"migrate","image":"m:1","resources":{"requests":{"cpu":"2","memory":"1Gi"}}},
           {"name":"proxy","image":"p:1","restartPolicy":"Always","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}},
           {"name":"warm","image":"w:1","resources":{"requests":{"cpu":"1","memory":"2Gi"}}}
         ],
         "overhead":{"cpu":"250m","memory":"120Mi"}}}
      """)
    let parsed = SchedulerPod(pod)
    // max(app + proxy, migrate, warm + proxy) + overhead: cpu max(600m, 2, 1.1) + 250m, memory max(320Mi, 1Gi, 2112Mi) + 120Mi.
    #expect(parsed.requests.milliCPU == 2250)
    #expect(parsed.requests.memory == 2232 * 1024 * 1024)
    #expect(parsed.nonZeroCPU == 2250)
    #expect(parsed.images == ["m:1", "p:1", "w:1", "app:1"])
  }

  @Test func nonZeroDefaultsOnlyForMissingRequests() {
    let empty = SchedulerPod(F.pod("e"))
    #expect(empty.requests.isZero)
    #expect(empty.nonZeroCPU == 100)
    #expect(empty.nonZeroMemory == 200 * 1024 * 1024)
    let cpuOnly = SchedulerPod(F.pod("c", cpu: "250m"))
    #expect(cpuOnly.nonZeroCPU == 250)
    #expect(cpuOnly.nonZeroMemory == 200 * 1024 * 1024)
  }

  @Test func aggregatesFollowPodLifecycle() {
    var cache = SchedulerCache()
    cache.addNode(F.node("n1"))
    let running = F.pod("a", cpu: "1", memory: "1Gi", nodeName: "n1", hostPort: 80)
    cache.addPod(running)
    cache.addPod(F.pod("pending", cpu: "1"))
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1000)
    #expect(cache.podCount == 1)

    var terminating = F.pod("b", cpu: "500m", nodeName: "n1")
    terminating.setValue("2025-01-01T00:00:00Z", atPath: ["metadata", "deletionTimestamp"])
    cache.addPod(terminating)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1500)

    var finished = terminating
    finished.setValue("Succeeded", atPath: ["status", "phase"])
    cache.updatePod(finished)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1000)

    cache.removePod(running)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 0)
    #expect(cache.nodes[cache.nodeIndex["n1"]!].usedPorts.isEmpty)
  }

  @Test func podsOutliveTheirNodeUntilRemoved() {
    var cache = SchedulerCache()
    let node = F.node("n1")
    cache.addNode(node)
    let pod = F.pod("a", cpu: "1", nodeName: "n1")
    cache.addPod(pod)
    cache.removeNode(node)
    #expect(cache.nodeNames.isEmpty)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1000)
    cache.addNode(node)
    #expect(cache.nodeNames == ["n1"])
    #expect(cache.podCount(onNode: "n1") == 1)
    cache.removeNode(node)
    cache.removePod(pod)
    #expect(cache.nodes.isEmpty)
  }

  @Test func assumeForgetAndConfirm() {
    var cache = SchedulerCache()
    cache.addNode(F.node("n1"))
    cache.addNode(F.node("n2"))
    let pod = F.pod("web", cpu: "1")
    cache.assume(pod: pod, node: "n1")
    #expect(cache.isAssumed(pod: pod))
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1000)
    cache.forget(pod: pod)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 0)

    cache.assume(pod: pod, node: "n1")
    // A status update of the still unbound pod does not drop the assumption.
    cache.updatePod(pod)
    #expect(cache.isAssumed(pod: pod))
    // The informer reports the binding: the pod stays counted, no longer assumed.
    var bound = pod
    bound.setValue("n1", atPath: ["spec", "nodeName"])
    cache.addPod(bound)
    #expect(!cache.isAssumed(pod: pod))
    cache.forget(pod: pod)
    #expect(cache.requested(onNode: "n1")?.milliCPU == 1000)
    #expect(cache.nodeName(ofPod: pod) == "n1")
  }

  @Test func imageCountsTrackNodes() {
    var cache = SchedulerCache()
    let images: [JSONValue] = [
      ["names": ["registry.example/app:1.0", "registry.example/app@sha256:abc"], "sizeBytes": 1000]
    ]
    cache.addNode(F.node("n1", images: images))
    cache.addNode(F.node("n2", images: images))
    #expect(cache.imageNodeCounts["registry.example/app:1.0"] == 2)
    cache.updateNode(F.node("n2"))
    #expect(cache.imageNodeCounts["registry.example/app:1.0"] == 1)
    cache.removeNode(named: "n1")
    #expect(cache.imageNodeCounts.isEmpty)
  }

  @Test func imageNamesGetLatestTag() {
    #expect(SchedulerPod.normalizedImageName("nginx") == "nginx:latest")
    #expect(SchedulerPod.normalizedImageName("localhost:5000/nginx") == "localhost:5000/nginx:latest")
    #expect(SchedulerPod.normalizedImageName("nginx:1.25") == "nginx:1.25")
  }

  @Test func matchingPodCountsFollowEveryChangeToANode() {
    let web = LabelSelector(matching: ["app": "web"])
    var node = SchedulerNode(name: "n1")
    var memo = MatchingPodCounts()
    node.addPod(SchedulerPod(SchedulerFixtures.pod("a", labels: ["app": "web"], nodeName: "n1")))
    node.addPod(SchedulerPod(SchedulerFixtures.pod("b", labels: ["app": "db"], nodeName: "n1")))
    #expect(memo.count(on: node, matching: web, in: "default") == 1)
    node.addPod(SchedulerPod(SchedulerFixtures.pod("c", labels: ["app": "web"], nodeName: "n1")))
    #expect(memo.count(on: node, matching: web, in: "default") == 2)
    #expect(memo.count(on: node, matching: web, in: "other") == 0)
    // A copy that loses a pod (as preemption simulates) and the original both count right.
    var copy = node
    copy.removePod(identity: SchedulerPod(SchedulerFixtures.pod("a", nodeName: "n1")).identity)
    #expect(memo.count(on: copy, matching: web, in: "default") == 1)
    #expect(memo.count(on: node, matching: web, in: "default") == 2)
    // A new node of the same name starts from its own pods.
    let fresh = SchedulerNode(name: "n1")
    #expect(memo.count(on: fresh, matching: web, in: "default") == 0)
  }
}
