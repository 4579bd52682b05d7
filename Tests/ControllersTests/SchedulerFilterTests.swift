import KubeAPI
import Testing

@testable import Controllers

typealias F = SchedulerFixtures

@Suite struct SchedulerFilterTests {
  @Test func nodeUnschedulableRejectsUnlessTolerated() {
    var scheduler = F.scheduler(nodes: [F.node("cordoned", unschedulable: true), F.node("open", cpu: "1")])
    let busy = F.pod("busy", cpu: "900m", nodeName: "open")
    scheduler.cache.addPod(busy)
    let result = scheduler.schedule(pod: F.pod("web", cpu: "500m"))
    #expect(result.fitError?.reasonsByNode["cordoned"] == ["node(s) were unschedulable"])
    #expect(result.fitError?.reasonsByNode["open"] == ["Insufficient cpu"])

    let tolerant = F.pod(
      "tolerant", cpu: "500m",
      extraSpec: [
        "tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]]
      ])
    #expect(scheduler.schedule(pod: tolerant).nodeName == "cordoned")
  }

  @Test func nodeNameMustMatch() {
    var scheduler = F.scheduler(nodes: [F.node("a"), F.node("b")])
    let result = scheduler.schedule(pod: F.pod("pinned", extraSpec: ["nodeName": "c"]))
    #expect(
      result.fitError?.message
        == "0/2 nodes are available: 2 node(s) didn't match the requested node name. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")
  }

  @Test func taintsNeedTolerations() {
    let nodes = [
      F.node("gpu", taints: [F.taint("dedicated", "gpu")]),
      F.node("evicting", taints: [F.taint("node.kubernetes.io/not-ready", effect: "NoExecute")]),
      F.node("soft", taints: [F.taint("spot", "true", effect: "PreferNoSchedule")]),
    ]
    var scheduler = F.scheduler(nodes: nodes)
    let plain = scheduler.schedule(pod: F.pod("plain"))
    #expect(plain.nodeName == "soft")

    scheduler.cache.removeNode(nodes[2])
    let message = scheduler.schedule(pod: F.pod("plain")).fitError?.message
    #expect(
      message
        == "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
        + "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. "
        + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")

    let equal = F.pod(
      "trainer",
      extraSpec: ["tolerations": [["key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"]]])
    #expect(scheduler.schedule(pod: equal).nodeName == "gpu")
    let wrongValue = F.pod("other", extraSpec: ["tolerations": [["key": "dedicated", "value": "fpga"]]])
    #expect(scheduler.schedule(pod: wrongValue).fitError != nil)
    let everything = F.pod("daemon", extraSpec: ["tolerations": [["operator": "Exists"]]])
    #expect(scheduler.schedule(pod: everything).nodeName != nil)
  }

  @Test func nodeSelectorAndRequiredAffinity() {
    let nodes = [
      F.node("ssd-1", labels: ["disk": "ssd", "generation": "5"]),
      F.node("ssd-2", labels: ["disk": "ssd", "generation": "3"]),
      F.node("hdd", labels: ["disk": "hdd", "generation": "9"]),
    ]
    var scheduler = F.scheduler(nodes: nodes)
    #expect(scheduler.schedule(pod: F.pod("s", extraSpec: ["nodeSelector": ["disk": "hdd"]])).nodeName == "hdd")

    let affinity: JSONValue = [
      "nodeAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          "nodeSelectorTerms": [
            [
              "matchExpressions": [
                ["key": "disk", "operator": "In", "values": ["ssd"]],
                ["key": "generation", "operator": "Gt", "values": ["4"]],
              ]
            ],
            ["matchExpressions": [["key": "disk", "operator": "In", "values": ["nvme"]]]],
          ]
        ]
      ]
    ]
    #expect(scheduler.schedule(pod: F.pod("a", extraSpec: ["affinity": affinity])).nodeName == "ssd-1")

    let none = scheduler.schedule(pod: F.pod("n", extraSpec: ["nodeSelector": ["disk": "tape"]]))
    #expect(
      none.fitError?.message
        == "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
  }

  @Test func matchFieldsNarrowNodesInPreFilter() {
    var scheduler = F.scheduler(nodes: [F.node("a"), F.node("b", cpu: "1"), F.node("c")])
    let byName: JSONValue = [
      "nodeAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          "nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": ["b"]]]]]
        ]
      ]
    ]
    #expect(scheduler.schedule(pod: F.pod("d", extraSpec: ["affinity": byName])).nodeName == "b")
    let result = scheduler.schedule(pod: F.pod("big", cpu: "2", extraSpec: ["affinity": byName]))
    #expect(
      result.fitError?.message
        == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. "
        + "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, "
        + "2 Preemption is not helpful for scheduling.")
  }

  @Test func hostPortsConflictByAddressAndProtocol() {
    var scheduler = F.scheduler(
      nodes: [F.node("a"), F.node("b")], pods: [F.pod("ingress", nodeName: "a", hostPort: 443)])
    let result = scheduler.schedule(pod: F.pod("ingress-2", hostPort: 443))
    #expect(result.nodeName == "b")
    scheduler.cache.addPod(F.pod("ingress-b", nodeName: "b", hostPort: 443))
    let full = scheduler.schedule(pod: F.pod("ingress-3", hostPort: 443))
    #expect(
      full.fitError?.reasonHistogram() == ["2 node(s) didn't have free ports for the requested pod ports"])
    // The same port over UDP, or bound to one address while the others use 0.0.0.0… conflicts only with 0.0.0.0.
    let udp = F.pod(
      "dns",
      extraSpec: [
        "containers": [
          ["name": "dns", "image": "dns:1", "ports": [["containerPort": 53, "hostPort": 443, "protocol": "UDP"]]]
        ]
      ])
    #expect(scheduler.schedule(pod: udp).nodeName != nil)
    let specificIP = F.pod(
      "ip",
      extraSpec: [
        "containers": [
          ["name": "x", "image": "x:1", "ports": [["containerPort": 1, "hostPort": 443, "hostIP": "10.0.0.5"]]]
        ]
      ])
    #expect(scheduler.schedule(pod: specificIP).fitError != nil)
  }

  @Test func resourcesFitAgainstAllocatable() {
    let nodes = [
      F.node("small", cpu: "500m", memory: "1Gi"),
      F.node("full", cpu: "8", memory: "16Gi", pods: 1),
      F.node("gpu", cpu: "8", memory: "16Gi", extraAllocatable: ["example.com/gpu": "1"]),
    ]
    var scheduler = F.scheduler(nodes: nodes, pods: [F.pod("occupant", nodeName: "full")])
    let pod = F.pod("db", cpu: "1", memory: "2Gi")
    #expect(scheduler.schedule(pod: pod).nodeName == "gpu")

    scheduler.cache.assume(pod: pod, node: "gpu")
    let gpuPod = F.pod(
      "train",
      extraSpec: [
        "containers": [["name": "t", "image": "t:1", "resources": ["requests": ["example.com/gpu": "2", "cpu": "1"]]]]
      ])
    let result = scheduler.schedule(pod: gpuPod)
    #expect(result.fitError?.reasonsByNode["gpu"] == ["Insufficient example.com/gpu"])
    #expect(result.fitError?.reasonsByNode["full"] == ["Too many pods", "Insufficient example.com/gpu"])
    #expect(result.fitError?.reasonsByNode["small"] == ["Insufficient cpu", "Insufficient example.com/gpu"])
  }

  @Test func messageCountsSortBytewiseAsGo() {
    var nodes = (0..<10).map { F.node("t\($0)", taints: [F.taint("a", "b")]) }
    nodes += [F.node("s1", cpu: "1"), F.node("s2", cpu: "1")]
    var scheduler = F.scheduler(nodes: nodes)
    let result = scheduler.schedule(pod: F.pod("big", cpu: "2", extraSpec: ["preemptionPolicy": "Never"]))
    #expect(
      result.fitError?.message
        == "0/12 nodes are available: 10 node(s) had untolerated taint {a: b}, 2 Insufficient cpu. "
        + "preemption: not eligible due to preemptionPolicy=Never.")
  }

  @Test func noNodesIsAnError() {
    var scheduler = Scheduler(seed: 1)
    #expect(scheduler.schedule(pod: F.pod("p")).failure == "no nodes available to schedule pods")
  }
}
