import Foundation
import Testing

@testable import SkiffNetwork

/// The generated ruleset applied in a test-created "node" namespace, with real traffic from
/// pod namespaces, the node itself and an outside host.
@Suite(
  .enabled(
    if: ProxyTopology.isSupported,
    "needs root, nft (nftables), ip (iproute2) and /usr/bin/python3 to build network namespaces"))
struct ProxyNetnsTests {
  static let web = ProxiedService(
    namespace: "default", name: "web", clusterIPs: ["10.43.0.20"],
    ports: [
      .init(name: "http", port: 80, nodePort: 30080), .init(name: "echo", proto: "udp", port: 53, nodePort: 30053),
    ],
    exposesNodePorts: true)
  static let backends = [
    ServiceEndpoint(ip: "10.42.0.11", port: 8080, nodeName: "node-a"),
    ServiceEndpoint(ip: "10.42.0.12", port: 8080, nodeName: "node-b"),
  ]

  static func snapshot(_ services: [ProxiedService], _ endpoints: [ServiceEndpoint] = backends) -> ProxySnapshot {
    var byService: [String: [String: [ServiceEndpoint]]] = [:]
    for service in services {
      byService[service.key] = [
        "http": endpoints, "echo": endpoints.map { ServiceEndpoint(ip: $0.ip, port: 9090, nodeName: $0.nodeName) },
      ]
    }
    return ProxySnapshot(services: services, endpoints: byService)
  }

  static let configuration = ProxyConfiguration(nodeName: "node-a", nodeIPs: [ProxyTopology.nodeIP])

  /// Builds node, outside host, a client pod and two backends; always tears them down.
  static func withTopology(_ body: (ProxyTopology, _ client: String) async throws -> Void) async throws {
    let topology = try await ProxyTopology()
    do {
      let client = try await topology.addPod("client", ip: "10.42.0.10", serve: false)
      let b1 = try await topology.addPod("b1", ip: "10.42.0.11")
      let b2 = try await topology.addPod("b2", ip: "10.42.0.12")
      try await topology.waitForServers([(b1, "10.42.0.11"), (b2, "10.42.0.12")])
      try await body(topology, client)
    } catch {
      await topology.destroy()
      throw error
    }
    await topology.destroy()
  }

  /// Names of the backends that answered `count` fresh connections.
  static func spread(_ topology: ProxyTopology, from namespace: String, _ address: String, _ port: Int, count: Int = 24)
    async -> Set<String>
  {
    var seen = Set<String>()
    for _ in 0..<count { seen.insert(await topology.reach(from: namespace, address, port)) }
    return seen
  }

  @Test func clusterIPAndNodePortReachBothBackendsFromPodNodeAndOutside() async throws {
    try await Self.withTopology { topology, client in
      let applier = NodeRulesetApplier(
        configuration: Self.configuration, networkNamespace: topology.path(topology.node))
      try await applier.apply(proxy: Self.snapshot([Self.web]), policy: nil)
      #expect(await Self.spread(topology, from: client, "10.43.0.20", 80) == ["b1", "b2"])
      #expect(await Self.spread(topology, from: topology.node, "10.43.0.20", 80) == ["b1", "b2"])
      #expect(await Self.spread(topology, from: client, ProxyTopology.nodeIP, 30080) == ["b1", "b2"])
      #expect(await Self.spread(topology, from: topology.outside, ProxyTopology.nodeIP, 30080) == ["b1", "b2"])
      // Outside clients are masqueraded (the backend sees the node), pods are not.
      #expect(await topology.probe(from: client, "10.43.0.20", 80).hasSuffix(" 10.42.0.10"))
      #expect(await topology.probe(from: topology.outside, ProxyTopology.nodeIP, 30080).hasSuffix(" 10.42.0.1"))
      #expect(["b1", "b2"].contains(await topology.reach(from: client, "10.43.0.20", 53, proto: "udp")))
      // Hairpin: a backend reaching its own Service.
      let hairpin = await topology.probe(from: "\(topology.prefix)-b1", "10.43.0.20", 80)
      #expect(hairpin.hasPrefix("OK"), "hairpin answered \(hairpin)")
    }
  }

  /// Syncs that send only what changed leave the kernel with exactly the table a fresh,
  /// whole-table sync would write, and traffic follows every step.
  @Test func changesOnlySyncsEndWhereAFreshTableWould() async throws {
    try await Self.withTopology { topology, client in
      let applier = NodeRulesetApplier(
        configuration: Self.configuration, networkNamespace: topology.path(topology.node))
      let fresh = NFTables(networkNamespace: topology.path(topology.node), tableName: "fresh")
      var sticky = Self.web
      sticky.name = "sticky"
      sticky.clusterIPs = ["10.43.0.21"]
      sticky.affinityTimeout = 300
      var local = Self.web
      local.externalTrafficLocal = true
      // A Service whose chain shares web's endpoint map: its new rule refers to a map already
      // in the kernel, which nft must read back.
      let shard = { (name: String) in ProxyRules.fnv1a("svc-default/\(name)/tcp/80") % ProxyRules.endpointShards }
      var neighbour = Self.web
      neighbour.name = try #require((0..<10_000).map { "n\($0)" }.first { shard($0) == shard("web") })
      neighbour.clusterIPs = ["10.43.0.22"]
      neighbour.ports = [.init(name: "http", port: 80)]
      let (b1, b2) = (Self.backends[0], Self.backends[1])
      let steps: [(ProxySnapshot, expected: Set<String>)] = [
        (Self.snapshot([Self.web]), ["b1", "b2"]),
        (Self.snapshot([Self.web, neighbour]), ["b1", "b2"]),
        (Self.snapshot([Self.web, neighbour], [b2, b1]), ["b1", "b2"]),
        (Self.snapshot([Self.web, sticky], [b2]), ["b2"]),
        (Self.snapshot([Self.web], []), ["REFUSED"]),
        (Self.snapshot([local, sticky], [b1, b2]), ["b1", "b2"]),
        (Self.snapshot([local], [b1]), ["b1"]),
      ]
      try await applier.apply(proxy: ProxySnapshot(), policy: nil)
      for (step, (snapshot, expected)) in steps.enumerated() {
        try await applier.apply(proxy: snapshot, policy: nil)
        let table = NodeRuleset.table(configuration: Self.configuration, proxy: snapshot, tableName: "fresh")
        try await fresh.apply(table.script(replacing: nil))
        let synced = try await applier.nft.list()
        let wanted = try await fresh.list()?.replacingOccurrences(of: "table ip fresh", with: "table ip skiff")
        #expect(synced.map(Self.canonical) == wanted.map(Self.canonical), "step \(step)")
        try await fresh.removeAll()
        #expect(await Self.spread(topology, from: client, "10.43.0.20", 80) == expected, "step \(step)")
      }
    }
  }

  /// `nft list` output in an order that does not depend on history: the kernel lists sets and
  /// chains in creation order and a hash set's elements in bucket order, so both get sorted.
  static func canonical(_ listing: String) -> String {
    var blocks: [String] = []
    var current = ""
    for line in listing.split(separator: "\n", omittingEmptySubsequences: true) {
      guard line.hasPrefix("\t") else { continue }
      if let open = line.range(of: "elements = {"), let close = line.lastIndex(of: "}") {
        let items = line[open.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        current += line[..<open.upperBound] + items.sorted().joined(separator: ", ") + "}\n"
      } else {
        current += line + "\n"
      }
      if line == "\t}" {
        blocks.append(current)
        current = ""
      }
    }
    return blocks.sorted().joined()
  }

  @Test func sessionAffinitySticksAcrossSyncs() async throws {
    try await Self.withTopology { topology, client in
      var sticky = Self.web
      sticky.affinityTimeout = 300
      let applier = NodeRulesetApplier(
        configuration: Self.configuration, networkNamespace: topology.path(topology.node))
      try await applier.apply(proxy: Self.snapshot([sticky]), policy: nil)
      let first = await topology.reach(from: client, "10.43.0.20", 80)
      #expect(["b1", "b2"].contains(first))
      #expect(await Self.spread(topology, from: client, "10.43.0.20", 80, count: 12) == [first])
      // An unrelated change re-syncs incrementally; the affinity set keeps the client.
      var other = Self.web
      other.name = "other"
      other.clusterIPs = ["10.43.0.21"]
      try await applier.apply(proxy: Self.snapshot([sticky, other]), policy: nil)
      #expect(await Self.spread(topology, from: client, "10.43.0.20", 80, count: 6) == [first])
    }
  }

  @Test func serviceWithoutEndpointsIsRejectedAndLocalServiceIPsUntouched() async throws {
    try await Self.withTopology { topology, client in
      let dns = ProxiedService(
        namespace: "kube-system", name: "kube-dns", clusterIPs: ["10.43.0.10"], ports: [.init(name: "http", port: 80)])
      try await topology.apply(
        NodeRuleset.table(configuration: Self.configuration, proxy: Self.snapshot([Self.web, dns], [])))
      #expect(await topology.reach(from: client, "10.43.0.20", 80) == "REFUSED")
      #expect(await topology.reach(from: topology.node, "10.43.0.20", 80) == "REFUSED")
      #expect(await topology.reach(from: topology.outside, ProxyTopology.nodeIP, 30080) == "REFUSED")
      #expect(await topology.reach(from: client, "10.43.0.20", 53, proto: "udp") == "REFUSED")
      // The DNS IP is answered by the node itself (here: a server on a dummy interface).
      try await topology.addDummy("10.43.0.10", name: "dns")
      #expect(await topology.reach(from: client, "10.43.0.10", 8080) == "dns")
    }
  }

  @Test func externalTrafficPolicyLocalKeepsClientAddress() async throws {
    try await Self.withTopology { topology, client in
      var local = Self.web
      local.externalTrafficLocal = true
      try await topology.apply(NodeRuleset.table(configuration: Self.configuration, proxy: Self.snapshot([local])))
      // Only the endpoint on node-a (b1), and it sees the outside client's own address.
      for _ in 0..<8 {
        #expect(await topology.probe(from: topology.outside, ProxyTopology.nodeIP, 30080) == "OK b1 192.168.50.2")
      }
      // Pods still use every endpoint.
      #expect(await Self.spread(topology, from: client, ProxyTopology.nodeIP, 30080) == ["b1", "b2"])
    }
  }

  @Test func udpFlowsToAGoneEndpointAreFlushed() async throws {
    guard Conntrack.isAvailable else {
      Issue.record("conntrack (Debian conntrack) is not installed; cannot test the UDP flush")
      return
    }
    try await Self.withTopology { topology, client in
      let applier = NodeRulesetApplier(
        configuration: Self.configuration, networkNamespace: topology.path(topology.node))
      let b1 = ServiceEndpoint(ip: "10.42.0.11", port: 8080, nodeName: "node-a")
      let b2 = ServiceEndpoint(ip: "10.42.0.12", port: 8080, nodeName: "node-b")
      try await applier.apply(proxy: Self.snapshot([Self.web], [b1]), policy: nil)
      #expect(await topology.reach(from: client, "10.43.0.20", 53, proto: "udp", sourcePort: 40000) == "b1")
      // b1 leaves the Service but keeps running: only the flush moves the flow to b2.
      try await applier.apply(proxy: Self.snapshot([Self.web], [b2]), policy: nil)
      #expect(await topology.reach(from: client, "10.43.0.20", 53, proto: "udp", sourcePort: 40000) == "b2")
    }
  }
}

extension ProxyTopology {
  /// `address` on the node itself (the DNS helper uses a dummy interface; `lo` works the same
  /// and needs no dummy driver), with the echo server on the node.
  func addDummy(_ address: String, name: String, udpPort: Int = 9090) async throws {
    let result = try await NFTProcess().run("ip", ["-n", node, "addr", "add", "\(address)/32", "dev", "lo"])
    if result.status != 0 { throw NetworkError(.kernel, "cannot add \(address) to the node: \(result.stderr)") }
    try startServer(in: node, name: name, udpPort: udpPort, udpAddress: address)
    try await waitForServers([(node, address)])
  }
}
