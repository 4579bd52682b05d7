import KubeAPI
import Testing

@testable import SkiffNetwork

/// Golden snippets of the NetworkPolicy chains.
@Suite struct PolicyRulesTests {
  static let node = "node-a"
  static let web = PolicyPod(
    namespace: "shop", name: "web", ip: "10.42.0.11", labels: ["app": "web"], nodeName: node,
    namedPorts: ["http": [.init(proto: "tcp", port: 8080)]])
  static let client = PolicyPod(
    namespace: "shop", name: "client", ip: "10.42.0.10", labels: ["app": "client"], nodeName: node)
  static let other = PolicyPod(
    namespace: "ops", name: "probe", ip: "10.42.1.20", labels: ["app": "client"], nodeName: "node-b")
  static let namespaces = ["shop": ["team": "shop"], "ops": ["team": "ops"]]

  static func policy(_ json: JSONValue) -> NetworkPolicySpec {
    var object = json
    object["metadata"] = ["name": "p", "namespace": "shop"]
    return NetworkPolicySpec(json: object)
  }

  static func table(_ policies: [NetworkPolicySpec], local: [PolicyPod] = []) -> NFTTable {
    var table = NFTTable()
    PolicyRules.render(
      PolicySnapshot(policies: policies, pods: [web, client, other], namespaces: namespaces, localServices: local),
      nodeName: node, into: &table)
    return table
  }

  @Test func policyTypesDefaultAsUpstream() {
    let ingressOnly = Self.policy(["spec": ["podSelector": [:]]])
    #expect(ingressOnly.ingress == [] && ingressOnly.egress == nil)
    let both = Self.policy(["spec": ["podSelector": [:], "egress": [["to": [["ipBlock": ["cidr": "0.0.0.0/0"]]]]]]])
    #expect(both.ingress == [] && both.egress?.count == 1)
    let egressOnly = Self.policy(["spec": ["podSelector": [:], "policyTypes": ["Egress"]]])
    #expect(egressOnly.ingress == nil && egressOnly.egress == [])
  }

  @Test func unselectedPodsAreNotIsolated() {
    let table = Self.table([Self.policy(["spec": ["podSelector": ["matchLabels": ["app": "web"]]]])])
    #expect(table.sets["policy-ingress-pods"]?.elements == ["10.42.0.11 : jump pol-in-shop/web"])
    #expect(table.chains["pol-in-shop/web"]?.rules == ["drop"])
    #expect(table.chains["pol-in-shop/client"] == nil)
    #expect(table.chains["policy-forward"]?.rules.first == "ct state established,related accept")
  }

  @Test func podAndNamespaceSelectorsWithNamedPort() {
    let policy = Self.policy([
      "spec": [
        "podSelector": ["matchLabels": ["app": "web"]],
        "ingress": [
          [
            "from": [
              ["podSelector": ["matchLabels": ["app": "client"]]],
              [
                "namespaceSelector": ["matchLabels": ["team": "ops"]],
                "podSelector": ["matchLabels": ["app": "client"]],
              ],
            ],
            "ports": [["port": "http"], ["protocol": "UDP", "port": 5000, "endPort": 5010]],
          ]
        ],
      ]
    ])
    #expect(
      Self.table([policy]).chains["pol-in-shop/web"]?.rules == [
        "ip saddr { 10.42.0.10 } meta l4proto tcp th dport 8080 return",
        "ip saddr { 10.42.0.10 } meta l4proto udp th dport 5000-5010 return",
        "ip saddr { 10.42.1.20 } meta l4proto tcp th dport 8080 return",
        "ip saddr { 10.42.1.20 } meta l4proto udp th dport 5000-5010 return",
        "drop",
      ])
  }

  @Test func ipBlockWithExceptAndAnyPeer() {
    let policy = Self.policy([
      "spec": [
        "podSelector": [:],
        "ingress": [
          ["from": [["ipBlock": ["cidr": "192.168.0.0/16", "except": ["192.168.50.0/24"]]]]],
          ["ports": [["port": 9090]]],
        ],
      ]
    ])
    #expect(
      Self.table([policy]).chains["pol-in-shop/client"]?.rules == [
        "ip saddr 192.168.0.0/16 ip saddr != { 192.168.50.0/24 } return",
        "meta l4proto tcp th dport 9090 return",
        "drop",
      ])
  }

  @Test func anyPolicyAllowingIsEnough() {
    let deny = Self.policy(["spec": ["podSelector": [:]]])
    var allow = Self.policy([
      "spec": ["podSelector": ["matchLabels": ["app": "web"]], "ingress": [["from": [["podSelector": [:]]]]]]
    ])
    allow.name = "q"
    #expect(
      Self.table([deny, allow]).chains["pol-in-shop/web"]?.rules == [
        "ip saddr { 10.42.0.10, 10.42.0.11 } return", "drop",
      ])
  }

  @Test func egressNamedPortsResolvePerDestinationPodAndDNSIsAPseudoPod() {
    let dns = PolicyPod(
      namespace: "kube-system", name: "service/kube-dns", ip: "10.43.0.10", labels: ["k8s-app": "kube-dns"])
    let policy = Self.policy([
      "spec": [
        "podSelector": ["matchLabels": ["app": "client"]],
        "policyTypes": ["Egress"],
        "egress": [
          ["to": [["podSelector": ["matchLabels": ["app": "web"]]]], "ports": [["port": "http"]]],
          [
            "to": [["namespaceSelector": [:], "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]]]],
            "ports": [["protocol": "UDP", "port": 53], ["protocol": "TCP", "port": 53]],
          ],
        ],
      ]
    ])
    let table = Self.table([policy], local: [dns])
    #expect(table.chains["pol-in-shop/client"] == nil)
    #expect(
      table.chains["pol-out-shop/client"]?.rules == [
        "ip daddr 10.42.0.11 meta l4proto tcp th dport 8080 return",
        "ip daddr { 10.43.0.10 } meta l4proto udp th dport 53 return",
        "ip daddr { 10.43.0.10 } meta l4proto tcp th dport 53 return",
        "drop",
      ])
    #expect(table.sets["local-service-ips"]?.elements == ["10.43.0.10"])
    #expect(table.chains["policy-input"]?.rules.last == "ip daddr @local-service-ips ip saddr vmap @policy-egress-pods")
  }

  @Test func readsPodsForPolicy() throws {
    let pod: JSONValue = [
      "metadata": ["name": "web", "namespace": "shop", "labels": ["app": "web"]],
      "spec": ["nodeName": "node-a", "containers": [["ports": [["name": "http", "containerPort": 8080]]]]],
      "status": ["podIP": "10.42.0.11", "phase": "Running"],
    ]
    let parsed = try #require(PolicyPod(json: pod))
    #expect(parsed.namedPorts == ["http": [.init(proto: "tcp", port: 8080)]])
    var host = pod
    host["spec"]?["hostNetwork"] = true
    #expect(PolicyPod(json: host) == nil)
  }
}
