import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulerTopologyTests {
  static let zone = "topology.kubernetes.io/zone"

  static func zonedNodes() -> [JSONValue] {
    [
      F.node("z1-a", labels: [zone: "z1"]), F.node("z1-b", labels: [zone: "z1"]),
      F.node("z2-a", labels: [zone: "z2"]), F.node("z3-a", labels: [zone: "z3"]),
    ]
  }

  static func web(_ name: String, on node: String, hash: String = "old") -> JSONValue {
    F.pod(name, labels: ["app": "web", "pod-template-hash": hash], nodeName: node)
  }

  static func spread(
    _ key: String = Self.zone, maxSkew: Int64 = 1, action: String = "DoNotSchedule", extra: [String: JSONValue] = [:]
  ) -> JSONValue {
    var constraint: [String: JSONValue] = [
      "maxSkew": .int(maxSkew), "topologyKey": .string(key), "whenUnsatisfiable": .string(action),
      "labelSelector": ["matchLabels": ["app": "web"]],
    ]
    constraint.merge(extra) { _, new in new }
    return .object(constraint)
  }

  static func spreadPod(_ name: String, hash: String = "new", _ constraints: JSONValue...) -> JSONValue {
    F.pod(
      name, labels: ["app": "web", "pod-template-hash": hash],
      extraSpec: ["topologySpreadConstraints": .array(constraints)])
  }

  @Test func doNotScheduleKeepsSkewWithinMax() {
    let existing = [Self.web("w1", on: "z1-a"), Self.web("w2", on: "z1-b"), Self.web("w3", on: "z2-a")]
    var scheduler = F.scheduler(nodes: Self.zonedNodes(), pods: existing)
    #expect(scheduler.schedule(pod: Self.spreadPod("new", Self.spread())).nodeName == "z3-a")

    scheduler.cache.addNode(F.node("bare"))
    scheduler.cache.addPod(Self.web("w4", on: "z3-a"))
    scheduler.cache.addPod(Self.web("w5", on: "z3-a"))
    let result = scheduler.schedule(pod: Self.spreadPod("next", Self.spread()))
    #expect(result.nodeName == "z2-a")
    let blocked = scheduler.schedule(pod: Self.spreadPod("blocked", Self.spread(extra: ["minDomains": 4])))
    #expect(blocked.nodeName == nil)
    #expect(
      blocked.fitError?.reasonHistogram() == [
        "1 node(s) didn't match pod topology spread constraints (missing required label)",
        "4 node(s) didn't match pod topology spread constraints",
      ])
  }

  @Test func minDomainsTreatsMissingDomainsAsEmpty() {
    let existing = [Self.web("w1", on: "z1-a"), Self.web("w2", on: "z2-a"), Self.web("w3", on: "z3-a")]
    var scheduler = F.scheduler(nodes: Self.zonedNodes(), pods: existing)
    #expect(scheduler.schedule(pod: Self.spreadPod("p", Self.spread())).nodeName != nil)
    let strict = Self.spreadPod("q", Self.spread(extra: ["minDomains": 5]))
    #expect(scheduler.schedule(pod: strict).fitError?.unschedulablePlugins == ["PodTopologySpread"])
  }

  @Test func matchLabelKeysSeparateRevisions() {
    let existing = [Self.web("w1", on: "z1-a"), Self.web("w2", on: "z1-a"), Self.web("w3", on: "z1-b")]
    let scheduler = F.scheduler(nodes: Self.zonedNodes(), pods: existing)
    func fitsZ1(_ pod: JSONValue) -> Bool {
      var state = CycleState(pod: SchedulerPod(pod))
      guard case .passed = scheduler.preFilter(&state) else { return false }
      return scheduler.filter(state, scheduler.cache.node(named: "z1-a")!) == nil
    }
    // Pods of the old revision count against zone z1 only without matchLabelKeys.
    #expect(!fitsZ1(Self.spreadPod("plain", Self.spread())))
    #expect(fitsZ1(Self.spreadPod("revision", Self.spread(extra: ["matchLabelKeys": ["pod-template-hash"]]))))
  }

  @Test func nodeTaintsPolicyHonorSkipsTaintedDomains() {
    var nodes = Self.zonedNodes()
    nodes[3] = F.node("z3-a", labels: [Self.zone: "z3"], taints: [F.taint("maintenance")])
    let existing = [Self.web("w1", on: "z1-a"), Self.web("w2", on: "z2-a")]
    var scheduler = F.scheduler(nodes: nodes, pods: existing)
    #expect(scheduler.schedule(pod: Self.spreadPod("ignore", Self.spread())).nodeName == nil)
    let honor = Self.spreadPod("honor", Self.spread(extra: ["nodeTaintsPolicy": "Honor"]))
    #expect(["z1-a", "z1-b", "z2-a"].contains(scheduler.schedule(pod: honor).nodeName ?? ""))
  }

  @Test func scheduleAnywayPrefersEmptierDomains() {
    let nodes = [F.node("n1"), F.node("n2"), F.node("n3")]
    let existing = [Self.web("w1", on: "n1"), Self.web("w2", on: "n1"), Self.web("w3", on: "n2")]
    var scheduler = F.scheduler(nodes: nodes, pods: existing)
    let pod = Self.spreadPod("p", Self.spread(Scheduler.hostnameLabel, action: "ScheduleAnyway"))
    #expect(scheduler.schedule(pod: pod).nodeName == "n3")
  }

  @Test func serviceSelectorSpreadsPodsWithoutConstraints() {
    let nodes = [F.node("n1"), F.node("n2")]
    var scheduler = F.scheduler(nodes: nodes, pods: [Self.web("w1", on: "n1"), Self.web("w2", on: "n1")])
    scheduler.cache.addService([
      "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default"],
      "spec": ["selector": ["app": "web"], "ports": [["port": 80]]],
    ])
    // Hostname domain weight ln(4): n1 scores round(2·1.386 + 2) = 5, n2 scores 2; inverted over the range.
    let scores = scheduler.scoreSpread(SchedulerPod(F.pod("p", labels: ["app": "web"])), [0, 1])
    #expect(scores == [40, 100])
    #expect(scheduler.schedule(pod: F.pod("p", labels: ["app": "web"])).nodeName == "n2")
  }

  @Test func requiredPodAffinityFollowsMatchingPods() {
    let db = F.pod("db", labels: ["app": "db"], nodeName: "z2-a")
    var scheduler = F.scheduler(nodes: Self.zonedNodes(), pods: [db])
    let affinity: JSONValue = [
      "podAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          ["labelSelector": ["matchLabels": ["app": "db"]], "topologyKey": .string(Self.zone)]
        ]
      ]
    ]
    let result = scheduler.schedule(pod: F.pod("api", labels: ["app": "api"], extraSpec: ["affinity": affinity]))
    #expect(result.nodeName == "z2-a")
    scheduler.cache.removePod(db)
    let alone = scheduler.schedule(pod: F.pod("api", labels: ["app": "api"], extraSpec: ["affinity": affinity]))
    #expect(alone.fitError?.reasonHistogram() == ["4 node(s) didn't match pod affinity rules"])
    // The first pod of a group with affinity to itself may go anywhere.
    let selfAffine = F.pod("db-0", labels: ["app": "db"], extraSpec: ["affinity": affinity])
    #expect(scheduler.schedule(pod: selfAffine).nodeName != nil)
  }

  @Test func antiAffinityBothWays() {
    let nodes = [F.node("n1"), F.node("n2"), F.node("n3")]
    let guarded: JSONValue = [
      "podAntiAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          ["labelSelector": ["matchLabels": ["app": "noisy"]], "topologyKey": "kubernetes.io/hostname"]
        ]
      ]
    ]
    let existing = [
      F.pod("web-1", labels: ["app": "web"], nodeName: "n1"),
      F.pod("quiet", labels: ["app": "quiet"], nodeName: "n2", extraSpec: ["affinity": guarded]),
    ]
    var scheduler = F.scheduler(nodes: nodes, pods: existing)
    let spreadWeb: JSONValue = [
      "podAntiAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          ["labelSelector": ["matchLabels": ["app": "web"]], "topologyKey": "kubernetes.io/hostname"]
        ]
      ]
    ]
    let noisy = F.pod("noisy", labels: ["app": "noisy"], extraSpec: ["affinity": spreadWeb])
    scheduler.cache.addNode(F.node("n3", cpu: "0"))
    let result = scheduler.schedule(
      pod: F.pod("noisy", cpu: "1", labels: ["app": "noisy"], extraSpec: ["affinity": spreadWeb]))
    #expect(result.fitError?.reasonsByNode["n1"] == ["node(s) didn't match pod anti-affinity rules"])
    #expect(result.fitError?.reasonsByNode["n2"] == ["node(s) didn't satisfy existing pods anti-affinity rules"])
    scheduler.cache.addNode(F.node("n3"))
    #expect(scheduler.schedule(pod: noisy).nodeName == "n3")
  }

  @Test func namespaceSelectorUsesNamespaceLabels() {
    var scheduler = F.scheduler(
      nodes: [F.node("n1"), F.node("n2")],
      pods: [F.pod("cache", namespace: "team-a", labels: ["app": "cache"], nodeName: "n2")])
    scheduler.cache.addNamespace([
      "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a", "labels": ["team": "a"]],
    ])
    let affinity: JSONValue = [
      "podAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          [
            "labelSelector": ["matchLabels": ["app": "cache"]], "namespaceSelector": ["matchLabels": ["team": "a"]],
            "topologyKey": "kubernetes.io/hostname",
          ]
        ]
      ]
    ]
    #expect(
      scheduler.schedule(pod: F.pod("client", namespace: "apps", extraSpec: ["affinity": affinity])).nodeName == "n2")
  }

  @Test func preferredPodAffinityScores() {
    let nodes = [F.node("n1"), F.node("n2"), F.node("n3")]
    var scheduler = F.scheduler(nodes: nodes, pods: [F.pod("cache", labels: ["app": "cache"], nodeName: "n2")])
    let affinity: JSONValue = [
      "podAffinity": [
        "preferredDuringSchedulingIgnoredDuringExecution": [
          [
            "weight": 100,
            "podAffinityTerm": [
              "labelSelector": ["matchLabels": ["app": "cache"]], "topologyKey": "kubernetes.io/hostname",
            ],
          ]
        ]
      ]
    ]
    #expect(scheduler.schedule(pod: F.pod("web", extraSpec: ["affinity": affinity])).nodeName == "n2")
    let avoid: JSONValue = [
      "podAntiAffinity": [
        "preferredDuringSchedulingIgnoredDuringExecution": [
          [
            "weight": 100,
            "podAffinityTerm": [
              "labelSelector": ["matchLabels": ["app": "cache"]], "topologyKey": "kubernetes.io/hostname",
            ],
          ]
        ]
      ]
    ]
    let scores = scheduler.scoreAffinity(SchedulerPod(F.pod("x", extraSpec: ["affinity": avoid])), [0, 1, 2])
    #expect(scores == [100, 0, 100])
  }
}
