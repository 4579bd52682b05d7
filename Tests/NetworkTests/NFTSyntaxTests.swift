import Foundation
import Testing

@testable import SkiffNetwork

/// Feeds generated rulesets to `nft -c` (the kernel validates without committing). nft needs
/// CAP_NET_ADMIN even to check, so this runs as root and skips otherwise.
@Suite(.enabled(if: getuid() == 0 && NFTables.isAvailable, "needs root and nft (Debian nftables) to run `nft -c`"))
struct NFTSyntaxTests {

  /// One ruleset using every feature at once.
  static func everything() -> NFTTable {
    let web = ProxiedService(
      namespace: "default", name: "web", clusterIPs: ["10.43.0.20"],
      ports: [
        .init(name: "http", port: 80, nodePort: 30080), .init(name: "dns", proto: "udp", port: 53, nodePort: 30053),
      ],
      exposesNodePorts: true, externalIPs: ["192.168.50.200"], loadBalancerIPs: ["192.168.50.201"],
      affinityTimeout: 600,
      externalTrafficLocal: true)
    let local = ProxiedService(
      namespace: "default", name: "local", clusterIPs: ["10.43.0.21"], ports: [.init(name: "", port: 80)],
      internalTrafficLocal: true)
    let empty = ProxiedService(
      namespace: "default", name: "empty", clusterIPs: ["10.43.0.22"], ports: [.init(name: "", proto: "sctp", port: 80)]
    )
    let endpoints = [
      ServiceEndpoint(ip: "10.42.0.11", port: 8080, nodeName: "node-a"),
      ServiceEndpoint(ip: "10.42.1.12", port: 8080, nodeName: "node-b"),
    ]
    let proxy = ProxySnapshot(
      services: [web, local, empty],
      endpoints: ["default/web": ["http": endpoints, "dns": endpoints], "default/local": ["": endpoints]],
      hostPorts: [HostPortMapping(hostIP: "192.168.50.1", hostPort: 8443, podIP: "10.42.0.30", containerPort: 443)])
    let pods = [
      PolicyPod(
        namespace: "default", name: "web", ip: "10.42.0.11", labels: ["app": "web"], nodeName: "node-a",
        namedPorts: ["http": [.init(proto: "tcp", port: 8080)]]),
      PolicyPod(namespace: "default", name: "client", ip: "10.42.0.10", labels: ["app": "client"], nodeName: "node-a"),
    ]
    let policy = NetworkPolicySpec(
      namespace: "default", name: "p", podSelector: .everything,
      ingress: [
        .init(
          peers: [.init(podSelector: .everything)], ports: [.init(name: "http"), .init(number: 9000, endPort: 9010)]),
        .init(peers: [.init(ipBlock: .init(cidr: "192.168.0.0/16", except: ["192.168.50.0/24", "192.168.60.0/24"]))]),
      ],
      egress: [.init(ports: [.init(proto: "udp", number: 53)]), .init(peers: [.init(podSelector: .everything)])])
    return NodeRuleset.table(
      configuration: ProxyConfiguration(nodeName: "node-a", nodeIPs: ["192.168.50.1", "10.0.0.5"]), proxy: proxy,
      policy: PolicySnapshot(
        policies: [policy], pods: pods, namespaces: ["default": [:]],
        localServices: [PolicyPod(namespace: "kube-system", name: "service/kube-dns", ip: "10.43.0.10")]))
  }

  @Test func everyFeatureIsValidNFT() async throws {
    let table = Self.everything()
    try await NFTables().check(table.script(replacing: nil))
    // The incremental form, against an inventory with a chain and an affinity set to drop.
    var previous = table.inventory
    previous.chains.insert("svc-default/gone/tcp/1")
    previous.dynamicSets.insert("aff-default/gone/tcp/1__10.42.0.9/1")
    previous.maps.insert("old-map")
    let incremental = table.script(replacing: previous)
    #expect(incremental.contains("delete chain ip skiff svc-default/gone/tcp/1\n"))
    #expect(incremental.contains("delete set ip skiff aff-default/gone/tcp/1__10.42.0.9/1\n"))
    #expect(
      incremental.contains("flush map ip skiff old-map\ndelete map")
        || incremental.contains("delete map ip skiff old-map\n"))
  }

  @Test func nftErrorsAreReportedWithTheirText() async {
    let error = await #expect(throws: NetworkError.self) {
      try await NFTables().check("table ip skiff {\n  chain x {\n    no such statement\n  }\n}\n")
    }
    #expect(error?.message.contains("syntax error") == true)
  }
}
