import Foundation
import KubeAPI
import Testing

@testable import Kubelet

/// The pure parts of the kubelet: how a pod spec becomes files, variables, limits and ranks.
struct PodConfigTests {
  let configuration = KubeletConfiguration(nodeName: "edge-1", directory: "/tmp/unused", nodeIP: "192.0.2.10")

  @Test func variableReferencesExpandOnlyWhenDefined() {
    let values = ["A": "1", "B": "two"]
    #expect(PodEnvironment.expand("$(A)-$(B)", values) == "1-two")
    #expect(PodEnvironment.expand("$(MISSING) $$(A) $", values) == "$(MISSING) $(A) $")
  }

  @Test func downwardFieldsFollowUpstreamNames() throws {
    let pod: JSONValue = [
      "metadata": ["name": "web", "namespace": "shop", "uid": "u1", "labels": ["app": "web", "tier": "front"]],
      "spec": ["nodeName": "edge-1"], "status": ["podIP": "10.42.0.5"],
    ]
    #expect(try PodEnvironment.fieldValue("metadata.labels['tier']", pod: pod, forFile: false) == "front")
    #expect(try PodEnvironment.fieldValue("metadata.labels", pod: pod, forFile: true) == "app=\"web\"\ntier=\"front\"")
    #expect(try PodEnvironment.fieldValue("spec.serviceAccountName", pod: pod, forFile: false) == "default")
    #expect(throws: KubeletError.self) { try PodEnvironment.fieldValue("metadata.labels", pod: pod, forFile: false) }
  }

  @Test func resourceFieldsRoundUpInDivisorUnits() throws {
    let container: JSONValue = ["name": "app", "resources": ["limits": ["cpu": "250m", "memory": "100Mi"]]]
    let pod: JSONValue = ["spec": ["containers": [container]]]
    #expect(try PodEnvironment.resourceValue(["resource": "limits.cpu"], pod: pod, container: container) == "1")
    #expect(
      try PodEnvironment.resourceValue(["resource": "limits.cpu", "divisor": "1m"], pod: pod, container: container)
        == "250")
    #expect(
      try PodEnvironment.resourceValue(["resource": "limits.memory", "divisor": "1Mi"], pod: pod, container: container)
        == "100")
  }

  @Test func clusterFirstResolvConfSearchesTheNamespaceFirst() {
    let pod: JSONValue = [
      "metadata": ["namespace": "shop"],
      "spec": ["dnsConfig": ["options": [["name": "ndots", "value": "2"], ["name": "edns0"]]]],
    ]
    let text = PodFiles(pod: pod, configuration: configuration).resolvConf(
      host: "nameserver 192.0.2.1\nsearch lan\n")
    #expect(
      text
        == "nameserver 10.43.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local lan\noptions ndots:2 edns0\n"
    )
  }

  @Test func hostNetworkPodsUseTheHostResolverUnlessTheyAsk() {
    let pod: JSONValue = ["metadata": ["namespace": "shop"], "spec": ["hostNetwork": true]]
    let text = PodFiles(pod: pod, configuration: configuration).resolvConf(host: "nameserver 192.0.2.1\n")
    #expect(text == "nameserver 192.0.2.1\n")
    let none: JSONValue = [
      "spec": ["dnsPolicy": "None", "dnsConfig": ["nameservers": ["1.1.1.1"], "searches": ["example.org"]]]
    ]
    #expect(
      PodFiles(pod: none, configuration: configuration).resolvConf(host: "nameserver 192.0.2.1\n")
        == "nameserver 1.1.1.1\nsearch example.org\n")
  }

  @Test func hostsFileNamesThePodAndItsAliases() {
    let pod: JSONValue = [
      "metadata": ["namespace": "db"],
      "spec": [
        "subdomain": "replicas", "hostAliases": [["ip": "192.0.2.7", "hostnames": ["a.example", "b.example"]]],
      ],
    ]
    let text = PodFiles(pod: pod, configuration: configuration).hosts(podIP: "10.42.0.9", hostname: "db-0")
    #expect(text.contains("10.42.0.9\tdb-0.replicas.db.svc.cluster.local\tdb-0\n"))
    #expect(text.hasSuffix("# Entries added by HostAliases.\n192.0.2.7\ta.example\tb.example\n"))
  }

  @Test func resourcesMapToSharesQuotaAndMemoryLimit() {
    let container: JSONValue = [
      "name": "app", "resources": ["requests": ["cpu": "500m"], "limits": ["cpu": "2", "memory": "64Mi"]],
    ]
    let config = ContainerConfig(
      pod: ["spec": ["containers": [container]]], container: container, volumes: [:], podDirectory: "/p",
      seccompDirectory: "/s", nodeMemoryBytes: 1 << 30)
    #expect(config.resources.cpuShares == 512)
    #expect(config.resources.cpuQuota == 200_000)
    #expect(config.resources.memoryLimit == 64 << 20)
    #expect(config.oomScoreAdjust == 999)  // Burstable without a memory request: clamped below BestEffort
  }

  @Test func qosClassesAsUpstream() {
    func pod(_ resources: JSONValue) -> JSONValue { ["spec": ["containers": [["name": "a", "resources": resources]]]] }
    #expect(PodQoS.of(spec: pod([:])["spec"] ?? [:]) == "BestEffort")
    #expect(PodQoS.of(spec: pod(["limits": ["cpu": "1", "memory": "1Gi"]])["spec"] ?? [:]) == "Guaranteed")
    #expect(PodQoS.of(spec: pod(["requests": ["cpu": "1"]])["spec"] ?? [:]) == "Burstable")
  }

  @Test func taintsParseOrExplain() throws {
    var configuration = configuration
    configuration.taints = ["dedicated=edge:NoSchedule", "maintenance:NoExecute"]
    let taints = try configuration.parsedTaints()
    #expect(taints[0] == ["key": "dedicated", "value": "edge", "effect": "NoSchedule"])
    #expect(taints[1] == ["key": "maintenance", "effect": "NoExecute"])
    configuration.taints = ["bad=taint:Sometimes"]
    #expect(throws: KubeletError.self) { try configuration.parsedTaints() }
  }

  @Test func evictionRanksOverusersThenPriorityThenOveruse() {
    let ranked = EvictionManager.rank([
      .init(key: "within", usage: 10, request: 100, priority: 0),
      .init(key: "over-important", usage: 500, request: 100, priority: 1000),
      .init(key: "over-small", usage: 150, request: 100, priority: 0),
      .init(key: "over-big", usage: 900, request: 100, priority: 0),
    ])
    #expect(ranked.map(\.key) == ["over-big", "over-small", "over-important", "within"])
  }

  @Test func nodeStatusComparisonIgnoresHeartbeats() {
    let a: JSONValue = ["conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": "t1"]]]
    let b: JSONValue = ["conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": "t2"]]]
    let c: JSONValue = ["conditions": [["type": "Ready", "status": "False", "lastHeartbeatTime": "t2"]]]
    #expect(NodeAgent.comparable(a) == NodeAgent.comparable(b))
    #expect(NodeAgent.comparable(a) != NodeAgent.comparable(c))
  }

  @Test func atomicDirectorySwapsThePayloadAndSkipsNoOps() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let first = [AtomicDirectory.File(path: "a", bytes: Array("1".utf8), mode: 0o644)]
    #expect(try AtomicDirectory.write(first, to: directory))
    #expect(try !AtomicDirectory.write(first, to: directory))
    let second = [AtomicDirectory.File(path: "b/c", bytes: Array("2".utf8), mode: 0o600)]
    #expect(try AtomicDirectory.write(second, to: directory))
    #expect(try String(contentsOfFile: directory + "/b/c", encoding: .utf8) == "2")
    #expect(!FileManager.default.fileExists(atPath: directory + "/a"))
    let entries = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
      $0.hasPrefix("..") && $0 != "..data"
    }
    #expect(entries.count == 1)
  }

  @Test func staticPodMirrorIsBoundNamedAndHashed() {
    let manifest: JSONValue = [
      "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "probe"], "spec": ["containers": []],
    ]
    let mirror = StaticPods.mirror(of: manifest, nodeName: "edge-1")
    #expect(mirror.metadata.name == "probe-edge-1")
    #expect(mirror.metadata.namespace == "default")
    #expect(mirror["spec"]?["nodeName"] == "edge-1")
    let hash = mirror.metadata.annotations?[StaticPods.hashAnnotation]
    #expect(hash?.count == 32 && mirror.metadata.annotations?[StaticPods.mirrorAnnotation] == hash)
  }

  @Test func pullPolicyDefaultsAsUpstream() {
    #expect(ImagePuller.policy(["image": "busybox"]) == "Always")
    #expect(ImagePuller.policy(["image": "busybox:latest"]) == "Always")
    #expect(ImagePuller.policy(["image": "registry.local:5000/app:1.2"]) == "IfNotPresent")
    #expect(ImagePuller.policy(["image": "registry.local:5000/app"]) == "Always")
    #expect(ImagePuller.policy(["image": .string("app@sha256:" + String(repeating: "a", count: 64))]) == "IfNotPresent")
    #expect(ImagePuller.policy(["image": "busybox", "imagePullPolicy": "Never"]) == "Never")
  }
}
