import Foundation
import KubeAPI
import Testing

@testable import SkiffNetwork

/// An allow/deny matrix of NetworkPolicies enforced in a test-created node namespace.
@Suite(
  .enabled(
    if: ProxyTopology.isSupported,
    "needs root, nft (nftables), ip (iproute2) and /usr/bin/python3 to build network namespaces"))
struct PolicyNetnsTests {
  static let configuration = ProxyConfiguration(nodeName: "node-a", nodeIPs: [ProxyTopology.nodeIP])

  static func policy(_ namespace: String, _ name: String, _ spec: JSONValue) -> NetworkPolicySpec {
    NetworkPolicySpec(json: ["metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec])
  }

  static let policies = [
    // shop/web: only shop's clients, only on the named port "http".
    policy(
      "shop", "web",
      [
        "podSelector": ["matchLabels": ["app": "web"]],
        "ingress": [["from": [["podSelector": ["matchLabels": ["app": "client"]]]], "ports": [["port": "http"]]]],
      ]),
    // ops/web: clients from namespaces labelled team=shop on 8000–8090; the outside network
    // except 192.168.50.2 on TCP; all of 192.168.0.0/16 on UDP 9090.
    policy(
      "ops", "web",
      [
        "podSelector": ["matchLabels": ["app": "web"]],
        "ingress": [
          [
            "from": [
              [
                "namespaceSelector": ["matchLabels": ["team": "shop"]],
                "podSelector": ["matchLabels": ["app": "client"]],
              ]
            ],
            "ports": [["port": 8000, "endPort": 8090]],
          ],
          ["from": [["ipBlock": ["cidr": "192.168.50.0/24", "except": ["192.168.50.2/32"]]]]],
          ["from": [["ipBlock": ["cidr": "192.168.0.0/16"]]], "ports": [["protocol": "UDP", "port": 9090]]],
        ],
      ]),
    // shop/client: egress only to shop's web pods on 8080 and to the cluster DNS on 53.
    policy(
      "shop", "client",
      [
        "podSelector": ["matchLabels": ["app": "client"]],
        "egress": [
          ["to": [["podSelector": ["matchLabels": ["app": "web"]]]], "ports": [["port": 8080]]],
          [
            "to": [["namespaceSelector": [:], "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]]]],
            "ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]],
          ],
        ],
      ]),
  ]

  @Test func allowDenyMatrix() async throws {
    let topology = try await ProxyTopology()
    do {
      let client = try await topology.addPod("client", ip: "10.42.0.10", serve: false)
      let b1 = try await topology.addPod("b1", ip: "10.42.0.11")
      let b2 = try await topology.addPod("b2", ip: "10.42.0.12")
      try await topology.waitForServers([(b1, "10.42.0.11"), (b2, "10.42.0.12")])
      // The cluster DNS answers on the node's dummy interface (TCP 8080 and UDP 53 here).
      try await topology.addDummy("10.43.0.10", name: "dns", udpPort: 53)

      let pods = [
        PolicyPod(namespace: "shop", name: "client", ip: "10.42.0.10", labels: ["app": "client"], nodeName: "node-a"),
        PolicyPod(
          namespace: "shop", name: "web", ip: "10.42.0.11", labels: ["app": "web"], nodeName: "node-a",
          namedPorts: ["http": [.init(proto: "tcp", port: 8080)]]),
        PolicyPod(namespace: "ops", name: "web", ip: "10.42.0.12", labels: ["app": "web"], nodeName: "node-a"),
      ]
      let dns = PolicyPod(
        namespace: "kube-system", name: "service/kube-dns", ip: "10.43.0.10", labels: ["k8s-app": "kube-dns"])
      let services = [
        ProxiedService(namespace: "shop", name: "web", clusterIPs: ["10.43.0.20"], ports: [.init(name: "", port: 80)]),
        ProxiedService(namespace: "ops", name: "web", clusterIPs: ["10.43.0.21"], ports: [.init(name: "", port: 80)]),
      ]
      let proxy = ProxySnapshot(
        services: services,
        endpoints: [
          "shop/web": ["": [ServiceEndpoint(ip: "10.42.0.11", port: 8080)]],
          "ops/web": ["": [ServiceEndpoint(ip: "10.42.0.12", port: 8080)]],
        ])
      let policy = PolicySnapshot(
        policies: Self.policies, pods: pods, namespaces: ["shop": ["team": "shop"], "ops": [:]], localServices: [dns])
      try await topology.apply(NodeRuleset.table(configuration: Self.configuration, proxy: proxy, policy: policy))

      let denied = "TIMEOUT"
      // Egress from the client (and ingress at shop/web via its named port).
      #expect(await topology.reach(from: client, "10.42.0.11", 8080) == "b1")
      #expect(await topology.reach(from: client, "10.43.0.20", 80) == "b1", "policy is checked after DNAT")
      #expect(await topology.reach(from: client, "10.42.0.11", 9090, proto: "udp") == denied)
      #expect(await topology.reach(from: client, "10.42.0.12", 8080) == denied, "egress only to shop's web pods")
      #expect(await topology.reach(from: client, "10.43.0.21", 80) == denied)
      #expect(await topology.reach(from: client, "10.43.0.10", 53, proto: "udp") == "dns", "DNS allowed by egress")
      #expect(await topology.reach(from: client, "10.43.0.10", 8080) == denied, "only port 53 of the DNS IP")
      // Ingress at shop/web: ops/web is not a shop client.
      #expect(await topology.reach(from: b2, "10.42.0.11", 8080) == denied)
      // Ingress at ops/web: ipBlock with except, per protocol; b1 is unselected and unrestricted.
      #expect(await topology.reach(from: topology.outside, "10.42.0.12", 8080) == denied, "except 192.168.50.2")
      #expect(await topology.reach(from: topology.outside, "10.42.0.12", 9090, proto: "udp") == "b2")
      #expect(await topology.reach(from: b1, "10.42.0.12", 8080) == denied, "b1 is no client")
      // Selected pods are closed to the rest; the node itself always reaches its pods.
      #expect(await topology.reach(from: topology.outside, "10.42.0.11", 8080) == denied)
      #expect(await topology.reach(from: topology.node, "10.42.0.12", 8080) == "b2")
      #expect(await topology.reach(from: topology.node, "10.42.0.11", 8080) == "b1")
    } catch {
      await topology.destroy()
      throw error
    }
    await topology.destroy()
  }
}
