import KubeAPI
import Testing

@testable import SkiffNetwork

/// Golden snippets of the generated ruleset, one per proxy feature; `NFTSyntaxTests` feeds the
/// same rulesets to `nft -c`.
@Suite struct ProxyRulesTests {
  static let node = "node-a"
  static let configuration = ProxyConfiguration(nodeName: node, nodeIPs: ["192.168.50.1"])

  static func web(
    ports: [ProxiedService.Port] = [.init(name: "http", port: 80)], nodePorts: Bool = false, affinity: Int? = nil,
    externalLocal: Bool = false, internalLocal: Bool = false, externalIPs: [String] = [], lb: [String] = []
  ) -> ProxiedService {
    ProxiedService(
      namespace: "default", name: "web", clusterIPs: ["10.43.0.20"], ports: ports, exposesNodePorts: nodePorts,
      externalIPs: externalIPs, loadBalancerIPs: lb, affinityTimeout: affinity, externalTrafficLocal: externalLocal,
      internalTrafficLocal: internalLocal)
  }

  static let twoEndpoints = [
    ServiceEndpoint(ip: "10.42.0.11", port: 8080, nodeName: node),
    ServiceEndpoint(ip: "10.42.1.12", port: 8080, nodeName: "node-b"),
  ]

  static func table(_ services: [ProxiedService], _ endpoints: [ServiceEndpoint] = twoEndpoints) -> NFTTable {
    var byService: [String: [String: [ServiceEndpoint]]] = [:]
    for service in services {
      for port in service.ports { byService[service.key, default: [:]][port.name] = endpoints }
    }
    return NodeRuleset.table(
      configuration: configuration, proxy: ProxySnapshot(services: services, endpoints: byService))
  }

  @Test func clusterIPDispatchesRandomlyOverEndpoints() {
    let table = Self.table([Self.web()])
    let shard = "endpoints-tcp-\(ProxyRules.fnv1a("svc-default/web/tcp/80") % ProxyRules.endpointShards)"
    #expect(table.sets["service-ips"]?.elements == ["10.43.0.20 . tcp . 80 : goto svc-default/web/tcp/80"])
    #expect(
      table.chains["svc-default/web/tcp/80"]?.rules == [
        "ip saddr != 10.42.0.0/16 jump mark-for-masquerade",
        "meta l4proto tcp dnat ip to numgen random mod 2 offset 0 map @\(shard)",
      ])
    #expect(table.sets[shard]?.elements == ["0 : 10.42.0.11 . 8080", "1 : 10.42.1.12 . 8080"])
    #expect(table.chains.keys.filter { $0.hasPrefix("ep-") }.isEmpty)
    // Only this node's endpoint can be reached by itself through the Service.
    #expect(table.sets["hairpin"]?.elements == ["10.42.0.11 . 10.42.0.11"])
  }

  @Test func endpointSlotsOfServicesSharingAShardNeverOverlap() throws {
    var services: [ProxiedService] = []
    var endpoints: [String: [String: [ServiceEndpoint]]] = [:]
    for index in 0..<150 {
      let service = ProxiedService(
        namespace: "default", name: "svc-\(index)", clusterIPs: ["10.43.1.\(index + 1)"],
        ports: [.init(name: "http", port: 80)])
      services.append(service)
      endpoints[service.key] = [
        "http": (0...(index % 4 + 1)).map { ServiceEndpoint(ip: "10.42.\(index).\($0 + 1)", port: 8080) }
      ]
    }
    let table = NodeRuleset.table(
      configuration: Self.configuration, proxy: ProxySnapshot(services: services, endpoints: endpoints))
    for (index, service) in services.enumerated() {
      let rule = try #require(table.chains["svc-\(service.key)/tcp/80"]?.rules.last)
      let words = rule.split(separator: " ")
      let count = try #require(words.firstIndex(of: "mod").flatMap { Int(words[$0 + 1]) })
      let offset = try #require(words.firstIndex(of: "offset").flatMap { Int(words[$0 + 1]) })
      let shard = try #require(words.last.map { String($0.dropFirst()) })
      let slots = try #require(table.sets[shard]).elements
      #expect(count == index % 4 + 2)
      #expect(
        Array(slots[offset..<offset + count])
          == (0..<count).map { "\(offset + $0) : 10.42.\(index).\($0 + 1) . 8080" })
    }
  }

  @Test func singleEndpointIsAPlainDNAT() {
    let table = Self.table([Self.web()], [Self.twoEndpoints[0]])
    #expect(table.chains["svc-default/web/tcp/80"]?.rules.last == "meta l4proto tcp dnat ip to 10.42.0.11:8080")
  }

  @Test func serviceWithoutEndpointsIsRejected() {
    let table = Self.table(
      [Self.web(ports: [.init(name: "dns", proto: "udp", port: 53, nodePort: 30053)], nodePorts: true)], [])
    #expect(table.sets["service-ips"]?.elements == [])
    #expect(table.sets["no-endpoint-services"]?.elements == ["10.43.0.20 . udp . 53 : goto reject-chain"])
    #expect(table.sets["no-endpoint-nodeports"]?.elements == ["udp . 30053 : goto reject-chain"])
    #expect(table.chains["reject-chain"]?.rules == ["reject"])
    #expect(table.chains["filter-output"]?.rules == ["ct state new jump endpoints-check"])
  }

  @Test func onlyReadyEndpointsThenServingTerminatingOnes() {
    let mixed = [
      ServiceEndpoint(ip: "10.42.0.11", port: 8080, ready: true),
      ServiceEndpoint(ip: "10.42.0.12", port: 8080, ready: false, serving: true, terminating: true),
      ServiceEndpoint(ip: "10.42.0.13", port: 8080, ready: false, serving: false),
    ]
    #expect(ServiceEndpoint.usable(mixed).map(\.ip) == ["10.42.0.11"])
    #expect(ServiceEndpoint.usable(Array(mixed.dropFirst())).map(\.ip) == ["10.42.0.12"])
    #expect(ServiceEndpoint.usable([mixed[2]]).isEmpty)
    let table = Self.table([Self.web()], Array(mixed.dropFirst()))
    #expect(table.chains["svc-default/web/tcp/80"]?.rules.last == "meta l4proto tcp dnat ip to 10.42.0.12:8080")
  }

  @Test func nodePortsLoadBalancerAndExternalIPs() {
    let service = Self.web(
      ports: [.init(name: "http", port: 80, nodePort: 30080)], nodePorts: true, externalIPs: ["192.168.50.200"],
      lb: ["192.168.50.201"])
    let table = Self.table([service])
    #expect(table.sets["service-nodeports"]?.elements == ["tcp . 30080 : goto svc-default/web/tcp/80"])
    #expect(
      table.sets["service-ips"]?.elements == [
        "10.43.0.20 . tcp . 80 : goto svc-default/web/tcp/80",
        "192.168.50.200 . tcp . 80 : goto svc-default/web/tcp/80",
        "192.168.50.201 . tcp . 80 : goto svc-default/web/tcp/80",
      ])
    #expect(table.sets["node-ips"]?.elements == ["192.168.50.1"])
    #expect(
      table.chains["services"]?.rules == [
        "ip daddr . meta l4proto . th dport vmap @service-ips",
        "ip daddr @node-ips meta l4proto . th dport vmap @service-nodeports",
      ])
  }

  @Test func nodePortOutsideTheRangeIsIgnored() {
    let table = Self.table([Self.web(ports: [.init(name: "http", port: 80, nodePort: 8080)], nodePorts: true)])
    #expect(table.sets["service-nodeports"]?.elements == [])
  }

  @Test func sessionAffinityUsesDynamicSetsWithTimeout() {
    let table = Self.table([Self.web(affinity: 600)])
    let set = table.sets["aff-default/web/tcp/80__10.42.0.11/8080"]
    #expect(set?.flags == ["dynamic", "timeout"])
    #expect(set?.timeout == 600)
    #expect(
      table.chains["svc-default/web/tcp/80"]?.rules.prefix(3) == [
        "ip saddr != 10.42.0.0/16 jump mark-for-masquerade",
        "ip saddr @aff-default/web/tcp/80__10.42.0.11/8080 goto ep-default/web/tcp/80__10.42.0.11/8080",
        "ip saddr @aff-default/web/tcp/80__10.42.1.12/8080 goto ep-default/web/tcp/80__10.42.1.12/8080",
      ])
    #expect(
      table.chains["ep-default/web/tcp/80__10.42.0.11/8080"]?.rules == [
        "update @aff-default/web/tcp/80__10.42.0.11/8080 { ip saddr }", "meta l4proto tcp dnat ip to 10.42.0.11:8080",
      ])
    #expect(table.script(replacing: nil).contains("flags dynamic,timeout\n    timeout 600s\n"))
  }

  @Test func externalTrafficPolicyLocalKeepsClientIPAndUsesLocalEndpoints() {
    let service = Self.web(
      ports: [.init(name: "http", port: 80, nodePort: 30080)], nodePorts: true, externalLocal: true)
    let table = Self.table([service])
    #expect(table.sets["service-nodeports"]?.elements == ["tcp . 30080 : goto ext-default/web/tcp/80"])
    #expect(
      table.chains["ext-default/web/tcp/80"]?.rules == [
        "ip saddr 10.42.0.0/16 goto svc-default/web/tcp/80",
        "fib saddr type local jump mark-for-masquerade",
        "fib saddr type local goto svc-default/web/tcp/80",
        "goto local-default/web/tcp/80",
      ])
    // Only this node's endpoint, and no masquerade mark in the local chain.
    #expect(table.chains["local-default/web/tcp/80"]?.rules == ["meta l4proto tcp dnat ip to 10.42.0.11:8080"])
    // Without a local endpoint, outside clients are dropped; pods still reach the Service.
    let remoteOnly = Self.table([service], [Self.twoEndpoints[1]])
    #expect(remoteOnly.chains["ext-default/web/tcp/80"]?.rules.last == "drop")
  }

  @Test func internalTrafficPolicyLocal() {
    let table = Self.table([Self.web(internalLocal: true)])
    #expect(table.sets["service-ips"]?.elements == ["10.43.0.20 . tcp . 80 : goto local-default/web/tcp/80"])
    let remoteOnly = Self.table([Self.web(internalLocal: true)], [Self.twoEndpoints[1]])
    #expect(remoteOnly.sets["no-endpoint-services"]?.elements == ["10.43.0.20 . tcp . 80 : drop"])
  }

  @Test func localServiceIPsGetNoRules() {
    let dns = ProxiedService(
      namespace: "kube-system", name: "kube-dns", clusterIPs: ["10.43.0.10"],
      ports: [.init(name: "dns", proto: "udp", port: 53)])
    let table = Self.table([dns], [])
    #expect(table.sets["service-ips"]?.elements == [])
    #expect(table.sets["no-endpoint-services"]?.elements == [])
  }

  @Test func headlessAndExternalNameServicesAreIgnored() {
    let headless: JSONValue = ["metadata": ["name": "db", "namespace": "default"], "spec": ["clusterIP": "None"]]
    let external: JSONValue = [
      "metadata": ["name": "ext", "namespace": "default"],
      "spec": ["type": "ExternalName", "externalName": "example.com"],
    ]
    #expect(ProxiedService(json: headless) == nil)
    #expect(ProxiedService(json: external) == nil)
  }

  @Test func podNetworkMasqueradeAndHostPorts() {
    let hostPort = HostPortMapping(proto: "tcp", hostPort: 8443, podIP: "10.42.0.30", containerPort: 443)
    let table = NodeRuleset.table(
      configuration: Self.configuration, proxy: ProxySnapshot(hostPorts: [hostPort]))
    #expect(
      table.chains["nat-postrouting"]?.rules == [
        "jump masquerading",
        "ct status dnat ip saddr . ip daddr @hairpin masquerade fully-random",
        "ip saddr 10.42.0.0/16 ip daddr != 10.42.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random",
      ])
    #expect(
      table.chains["hostports"]?.rules == [
        "ip daddr @node-ips meta l4proto tcp th dport 8443 ip saddr 10.42.0.30 jump mark-for-masquerade",
        "ip daddr @node-ips meta l4proto tcp th dport 8443 dnat to 10.42.0.30:443",
      ])
    #expect(table.chains["masquerading"]?.rules.first == "meta mark & 0x4000 == 0 return")
  }
}
