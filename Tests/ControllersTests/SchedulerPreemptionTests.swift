import KubeAPI
import Testing

@testable import Controllers

@Suite struct SchedulerPreemptionTests {
  static func victimNames(_ result: SchedulingResult) -> [String] {
    result.fitError?.preemption?.victims.compactMap { $0.metadata.name } ?? []
  }

  @Test func picksNodeWithLowestPriorityVictimsAndKeepsTheRest() {
    let pods = [
      F.pod("low-early", cpu: "1", nodeName: "n1", priority: 10, startTime: "2025-01-01T00:00:00Z"),
      F.pod("low-late", cpu: "1", nodeName: "n1", priority: 10, startTime: "2025-01-02T00:00:00Z"),
      F.pod("mid", cpu: "1", nodeName: "n2", priority: 100),
      F.pod("lowest", cpu: "1", nodeName: "n2", priority: 1),
    ]
    var scheduler = F.scheduler(nodes: [F.node("n1", cpu: "2"), F.node("n2", cpu: "2")], pods: pods)
    let result = scheduler.schedule(pod: F.pod("critical", cpu: "1", priority: 1000))
    #expect(result.fitError?.message == "0/2 nodes are available: 2 Insufficient cpu.")
    #expect(result.fitError?.preemption?.node == "n2")
    #expect(Self.victimNames(result) == ["lowest"])
  }

  @Test func prefersFewerVictimsThenLatestStart() {
    let pods = [
      F.pod("a1", cpu: "500m", nodeName: "n1", priority: 5, startTime: "2025-01-01T00:00:00Z"),
      F.pod("a2", cpu: "500m", nodeName: "n1", priority: 5, startTime: "2025-01-01T00:00:00Z"),
      F.pod("b1", cpu: "1", nodeName: "n2", priority: 5, startTime: "2025-01-01T00:00:00Z"),
      F.pod("c1", cpu: "1", nodeName: "n3", priority: 5, startTime: "2025-03-01T00:00:00Z"),
    ]
    let nodes = [F.node("n1", cpu: "1"), F.node("n2", cpu: "1"), F.node("n3", cpu: "1")]
    var scheduler = F.scheduler(nodes: nodes, pods: pods)
    let result = scheduler.schedule(pod: F.pod("urgent", cpu: "1", priority: 50))
    // n1 needs two victims (priority sum higher); n2 and n3 one each, n3's started later.
    #expect(result.fitError?.preemption?.node == "n3")
    #expect(Self.victimNames(result) == ["c1"])
  }

  /// Upstream's PDB handling: nodes whose victims a budget protects lose to nodes whose victims
  /// it allows, and on a node the protected pods are reprieved first.
  @Test func disruptionBudgetsSteerVictims() {
    let pods = [
      F.pod("db-1", cpu: "1", labels: ["app": "db"], nodeName: "n1", priority: 1),
      F.pod("web-1", cpu: "1", labels: ["app": "web"], nodeName: "n2", priority: 5),
      F.pod("db-2", cpu: "500m", labels: ["app": "db"], nodeName: "n3", priority: 1),
      F.pod("web-2", cpu: "500m", labels: ["app": "web"], nodeName: "n3", priority: 2),
    ]
    let nodes = [F.node("n1", cpu: "1"), F.node("n2", cpu: "1"), F.node("n3", cpu: "1")]
    func budget(allowed: Int64) -> JSONValue {
      [
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": ["name": "db", "namespace": "default"],
        "spec": ["selector": ["matchLabels": ["app": "db"]]], "status": ["disruptionsAllowed": .int(allowed)],
      ]
    }
    // Without a budget n1 wins: its only victim has the lowest priority.
    var scheduler = F.scheduler(nodes: nodes, pods: pods)
    #expect(scheduler.schedule(pod: F.pod("urgent", cpu: "1", priority: 50)).fitError?.preemption?.node == "n1")
    // A budget that allows no disruption of db pods: n2's web pod goes instead, although it
    // matters more than db-1 (fewest violations comes first).
    scheduler.cache.addDisruptionBudget(budget(allowed: 0))
    let protected = scheduler.schedule(pod: F.pod("urgent", cpu: "1", priority: 50))
    #expect(protected.fitError?.preemption?.node == "n2")
    #expect(Self.victimNames(protected) == ["web-1"])
    // On one node, the protected pod is the one kept when either would do, even the less
    // important one; a budget that still allows a disruption protects nothing.
    var single = F.scheduler(nodes: [nodes[2]], pods: Array(pods[2...]))
    single.cache.addDisruptionBudget(budget(allowed: 0))
    let half = single.schedule(pod: F.pod("half", cpu: "500m", priority: 50))
    #expect(half.fitError?.preemption?.node == "n3")
    #expect(Self.victimNames(half) == ["web-2"])
    single.cache.addDisruptionBudget(budget(allowed: 1))
    #expect(Self.victimNames(single.schedule(pod: F.pod("half", cpu: "500m", priority: 50))) == ["db-2"])
    single.cache.removeDisruptionBudget(budget(allowed: 1))
    #expect(single.cache.disruptionBudgets.isEmpty)
  }

  @Test func explainsWhyPreemptionCannotHelp() {
    let nodes = [
      F.node("n1", cpu: "1"), F.node("n2", cpu: "1"),
      F.node("tainted", taints: [F.taint("node-role.kubernetes.io/control-plane")]),
    ]
    let pods = [F.pod("same", cpu: "1", nodeName: "n1", priority: 100), F.pod("low", cpu: "500m", nodeName: "n2")]
    var scheduler = F.scheduler(nodes: nodes, pods: pods)
    let result = scheduler.schedule(pod: F.pod("big", cpu: "2", priority: 100))
    #expect(
      result.fitError?.message
        == "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        + "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Insufficient cpu, "
        + "1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.")
    #expect(result.fitError?.preemption == nil)
  }

  @Test func nominatedPodsReserveTheirSpace() {
    let pods = [F.pod("victim", cpu: "1", nodeName: "n1", priority: 0)]
    var scheduler = F.scheduler(nodes: [F.node("n1", cpu: "2")], pods: pods)
    let critical = F.pod("critical", cpu: "2", priority: 1000)
    let first = scheduler.schedule(pod: critical)
    #expect(first.fitError?.preemption?.node == "n1")
    scheduler.cache.nominate(pod: critical, node: "n1")
    scheduler.cache.removePod(pods[0])
    // A lower-priority pod may not take the space the nominated pod waits for…
    let sneaky = scheduler.schedule(
      pod: F.pod("sneaky", cpu: "1", priority: 0, extraSpec: ["preemptionPolicy": "Never"]))
    #expect(
      sneaky.fitError?.message
        == "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.")
    // …while the nominated pod itself now fits there.
    var nominated = critical
    nominated.setValue("n1", atPath: ["status", "nominatedNodeName"])
    #expect(scheduler.schedule(pod: nominated).nodeName == "n1")
  }

  @Test func victimSelectionUndoesAntiAffinityCounts() {
    let guarded: JSONValue = [
      "podAntiAffinity": [
        "requiredDuringSchedulingIgnoredDuringExecution": [
          ["labelSelector": ["matchLabels": ["app": "db"]], "topologyKey": "kubernetes.io/hostname"]
        ]
      ]
    ]
    let pods = [F.pod("old-db", labels: ["app": "db"], nodeName: "n1", priority: 1)]
    var scheduler = F.scheduler(nodes: [F.node("n1")], pods: pods)
    let result = scheduler.schedule(
      pod: F.pod("db", labels: ["app": "db"], priority: 10, extraSpec: ["affinity": guarded]))
    #expect(result.fitError?.reasonsByNode["n1"] == ["node(s) didn't match pod anti-affinity rules"])
    #expect(Self.victimNames(result) == ["old-db"])
  }
}
