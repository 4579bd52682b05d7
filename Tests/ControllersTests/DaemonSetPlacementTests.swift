import KubeAPI
import Testing

@testable import Controllers

/// The pure placement and revision rules, without a cluster.
@Suite struct DaemonSetPlacementTests {
  static func set(_ spec: JSONValue) -> JSONValue { ["spec": ["template": ["spec": spec]]] }

  @Test func taintsNeedTolerations() {
    let node = WorkloadFixtures.node("n", taints: [WorkloadFixtures.taint("gpu", "yes", effect: "NoSchedule")])
    let plain = Self.set(["containers": []])
    #expect(
      DaemonPlacement.verdict(node: node, daemonSet: plain)
        == .init(shouldRun: false, shouldContinueRunning: true))
    let equal = Self.set(["tolerations": [["key": "gpu", "operator": "Equal", "value": "yes"]]])
    #expect(DaemonPlacement.verdict(node: node, daemonSet: equal).shouldRun)
    let wrongValue = Self.set(["tolerations": [["key": "gpu", "value": "no", "effect": "NoSchedule"]]])
    #expect(!DaemonPlacement.verdict(node: node, daemonSet: wrongValue).shouldRun)
    let everything = Self.set(["tolerations": [["operator": "Exists"]]])
    #expect(DaemonPlacement.verdict(node: node, daemonSet: everything).shouldRun)

    let evicting = WorkloadFixtures.node("n", taints: [WorkloadFixtures.taint("dead", effect: "NoExecute")])
    #expect(
      DaemonPlacement.verdict(node: evicting, daemonSet: plain)
        == .init(shouldRun: false, shouldContinueRunning: false))
    let soft = WorkloadFixtures.node("n", taints: [WorkloadFixtures.taint("meh", effect: "PreferNoSchedule")])
    #expect(DaemonPlacement.verdict(node: soft, daemonSet: plain).shouldRun)
  }

  @Test func daemonTolerationsCoverNodeProblems() {
    var spec: JSONValue = ["hostNetwork": true, "tolerations": [["key": "x", "operator": "Exists"]]]
    DaemonPlacement.addDaemonTolerations(&spec)
    DaemonPlacement.addDaemonTolerations(&spec)
    let tolerations = spec["tolerations"]?.arrayValue ?? []
    #expect(tolerations.count == 8, "seven added once, the user's kept")
    #expect(
      tolerations.contains {
        $0["key"]?.stringValue == "node.kubernetes.io/network-unavailable" && $0["effect"]?.stringValue == "NoSchedule"
      })
    #expect(
      tolerations.contains {
        $0["key"]?.stringValue == "node.kubernetes.io/unreachable" && $0["effect"]?.stringValue == "NoExecute"
          && $0["tolerationSeconds"] == nil
      })
    let cordoned = WorkloadFixtures.node(
      "n", taints: [WorkloadFixtures.taint("node.kubernetes.io/unschedulable", effect: "NoSchedule")])
    #expect(DaemonPlacement.verdict(node: cordoned, daemonSet: Self.set(["containers": []])).shouldRun)
  }

  @Test func nodeAffinityAndSelector() {
    let node = WorkloadFixtures.node("edge-1", labels: ["zone": "a", "cores": "8"])
    func affinity(_ expressions: JSONValue, fields: JSONValue = []) -> JSONValue {
      Self.set([
        "affinity": [
          "nodeAffinity": [
            "requiredDuringSchedulingIgnoredDuringExecution": [
              "nodeSelectorTerms": [["matchExpressions": expressions, "matchFields": fields]]
            ]
          ]
        ]
      ])
    }
    let fits: (JSONValue) -> Bool = { DaemonPlacement.verdict(node: node, daemonSet: $0).shouldRun }
    #expect(fits(affinity([["key": "zone", "operator": "In", "values": ["a", "b"]]])))
    #expect(!fits(affinity([["key": "zone", "operator": "NotIn", "values": ["a"]]])))
    #expect(fits(affinity([["key": "gpu", "operator": "DoesNotExist"]])))
    #expect(fits(affinity([["key": "cores", "operator": "Gt", "values": ["4"]]])))
    #expect(!fits(affinity([["key": "cores", "operator": "Lt", "values": ["4"]]])))
    #expect(fits(affinity([], fields: [["key": "metadata.name", "operator": "In", "values": ["edge-1"]]])))
    #expect(!fits(affinity([], fields: [["key": "metadata.name", "operator": "NotIn", "values": ["edge-1"]]])))
    #expect(!fits(affinity([])), "an empty term matches nothing")
    #expect(fits(Self.set(["nodeSelector": ["zone": "a"]])))
    #expect(!fits(Self.set(["nodeSelector": ["zone": "b"]])))
    #expect(!fits(Self.set(["nodeName": "edge-2"])))
  }

  @Test func pinningReplacesRequiredTerms() {
    let original: JSONValue = [
      "nodeAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          "nodeSelectorTerms": [["matchExpressions": [["key": "zone", "operator": "Exists"]]]]
        ],
        "preferredDuringSchedulingIgnoredDuringExecution": [],
      ],
      "podAntiAffinity": [:],
    ]
    let pinned = DaemonPlacement.pinning(original, to: "edge-1")
    let pod: JSONValue = ["spec": ["affinity": pinned]]
    #expect(DaemonPlacement.targetNode(of: pod) == "edge-1")
    #expect(pinned["podAntiAffinity"] != nil)
    #expect(pinned["nodeAffinity"]?["preferredDuringSchedulingIgnoredDuringExecution"] != nil)
    let terms = pinned[path: ["nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]
    #expect(terms?.arrayValue?.count == 1)
    #expect(DaemonPlacement.targetNode(of: ["spec": ["nodeName": "edge-9", "affinity": pinned]]) == "edge-9")
  }

  @Test func revisionHashesAndNames() {
    var empty = FNV32()
    empty.write([])
    #expect(empty.value == 0x811c_9dc5)
    var a = FNV32()
    a.write(Array("a".utf8))
    #expect(a.value == 0x050c_5d7e, "FNV-1, not FNV-1a")
    #expect(ControllerRevisions.safeEncode("0123") == "4567")
    let owner: JSONValue = [
      "metadata": ["name": "web", "namespace": "default", "uid": "u1", "annotations": ["note": "x"]],
      "spec": ["template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": []]]],
    ]
    let first = ControllerRevisions.make(owner: owner, ownerType: .statefulSets, revision: 1, collisionCount: 0)
    let bumped = ControllerRevisions.make(owner: owner, ownerType: .statefulSets, revision: 1, collisionCount: 1)
    let hash = first.metadata.labels?["controller-revision-hash"] ?? ""
    #expect(first.metadata.name == "web-\(hash)")
    #expect(first.metadata.labels?["app"] == "web")
    #expect(first.metadata.annotations?["note"] == "x")
    #expect(first["data"]?["spec"]?["template"]?["$patch"]?.stringValue == "replace")
    #expect(bumped.metadata.name != first.metadata.name, "a collision count gives another name")
    #expect(ControllerRevisions.equal(first, bumped))
    let restored = ControllerRevisions.applying(first, to: ["spec": ["template": ["spec": ["containers": [1]]]]])
    #expect(restored["spec"]?["template"] == owner["spec"]?["template"])
  }

  @Test func intOrPercent() {
    #expect(IntOrPercent.scaled(.int(2), total: 10, roundUp: true) == 2)
    #expect(IntOrPercent.scaled("25%", total: 10, roundUp: true) == 3)
    #expect(IntOrPercent.scaled("25%", total: 10, roundUp: false) == 2)
    #expect(IntOrPercent.scaled("x", total: 10, roundUp: false) == nil)
  }
}
