import KubeAPI

/// The API state one policy sync renders.
public struct PolicySnapshot: Sendable, Equatable {
  public var policies: [NetworkPolicySpec]
  /// Every pod with an IP, cluster-wide: peers can be on other nodes.
  public var pods: [PolicyPod]
  /// Namespace name → labels, for namespace selectors.
  public var namespaces: [String: [String: String]]
  /// Service IPs the node answers itself (cluster DNS), as pseudo-pods: their Service's
  /// namespace and selector labels, so "allow egress to kube-dns pods" allows them.
  public var localServices: [PolicyPod]

  public init(
    policies: [NetworkPolicySpec] = [], pods: [PolicyPod] = [], namespaces: [String: [String: String]] = [:],
    localServices: [PolicyPod] = []
  ) {
    self.policies = policies
    self.pods = pods
    self.namespaces = namespaces
    self.localServices = localServices
  }
}

/// Renders NetworkPolicies for the pods on this node, keyed by pod IP.
///
/// Policy is checked on the forward path after DNAT: a client reaching a Service is judged
/// against the backend pod it was sent to, which is what pod and namespace selectors name,
/// and the same for ingress and egress. The cluster DNS is the exception that has no backend
/// pod: the node answers on the `kube-dns` Service IP itself (input path, no DNAT), so egress
/// to local service IPs is checked there against that IP, where an ipBlock, an any-peer rule or
/// a selector matching the DNS Service's namespace and selector labels allows it. Other
/// traffic between a pod and its own node is always allowed, as upstream documents.
/// Replies pass through `ct state established,related accept`.
public enum PolicyRules {
  static let ingressPods = "policy-ingress-pods"
  static let egressPods = "policy-egress-pods"
  static let localServiceIPs = "local-service-ips"

  public static func render(_ snapshot: PolicySnapshot, nodeName: String, into table: inout NFTTable) {
    table.set(NFTSet(name: ingressPods, type: "ipv4_addr : verdict", isMap: true, comment: "isolated for ingress"))
    table.set(NFTSet(name: egressPods, type: "ipv4_addr : verdict", isMap: true, comment: "isolated for egress"))
    table.set(NFTSet(name: localServiceIPs, type: "ipv4_addr", elements: snapshot.localServices.map(\.ip).sorted()))
    table.chain("policy-forward", base: .init(type: "filter", hook: "forward", priority: "filter"))
    table.add(
      "policy-forward",
      "ct state established,related accept",
      "ip saddr vmap @\(egressPods)",
      "ip daddr vmap @\(ingressPods)")
    table.chain("policy-input", base: .init(type: "filter", hook: "input", priority: "filter"))
    table.add(
      "policy-input",
      "ct state established,related accept",
      "ip daddr @\(localServiceIPs) ip saddr vmap @\(egressPods)")

    let resolver = PeerResolver(snapshot: snapshot)
    let local = snapshot.pods.filter { $0.nodeName == nodeName }.sorted { $0.ip < $1.ip }
    for pod in local {
      let selecting = snapshot.policies.filter { $0.namespace == pod.namespace && $0.podSelector.matches(pod.labels) }
        .sorted { $0.name < $1.name }
      let ingress = selecting.compactMap(\.ingress)
      let egress = selecting.compactMap(\.egress)
      if !ingress.isEmpty {
        let chain = "pol-in-\(pod.namespace)/\(pod.name)"
        for (policy, rules) in zip(selecting.filter { $0.ingress != nil }, ingress) {
          for rule in rules {
            table.add(chain, resolver.ingress(rule, policyNamespace: policy.namespace, target: pod))
          }
        }
        table.add(chain, "drop")
        table.addElements(ingressPods, ["\(pod.ip) : jump \(chain)"])
      }
      if !egress.isEmpty {
        let chain = "pol-out-\(pod.namespace)/\(pod.name)"
        for (policy, rules) in zip(selecting.filter { $0.egress != nil }, egress) {
          for rule in rules { table.add(chain, resolver.egress(rule, policyNamespace: policy.namespace)) }
        }
        table.add(chain, "drop")
        table.addElements(egressPods, ["\(pod.ip) : jump \(chain)"])
      }
    }
  }
}

/// Turns peers and ports into nft matches ending in `return` (allowed: back to the base chain).
struct PeerResolver {
  let snapshot: PolicySnapshot

  func ingress(_ rule: NetworkPolicySpec.Rule, policyNamespace: String, target: PolicyPod) -> [String] {
    // Ingress named ports are the target pod's own ports.
    let ports = portMatches(rule.ports) { name, proto in target.namedPorts[name]?.filter { $0.proto == proto } ?? [] }
    guard let ports else { return [] }
    var rules: [String] = []
    for peer in peerMatches(rule.peers, policyNamespace: policyNamespace, field: "saddr", includeLocal: false) {
      for port in ports { rules.append(join(peer.match, port) + "return") }
    }
    return rules
  }

  func egress(_ rule: NetworkPolicySpec.Rule, policyNamespace: String) -> [String] {
    let hasNamedPorts = rule.ports.contains { $0.name != nil }
    var rules: [String] = []
    for peer in peerMatches(rule.peers, policyNamespace: policyNamespace, field: "daddr", includeLocal: true) {
      if hasNamedPorts, let pods = peer.pods {
        // Egress named ports are each destination pod's ports: one match per pod.
        for pod in pods {
          let ports = portMatches(rule.ports) { name, proto in pod.namedPorts[name]?.filter { $0.proto == proto } ?? []
          }
          for port in ports ?? [] { rules.append(join("ip daddr \(pod.ip)", port) + "return") }
        }
      } else {
        let ports = portMatches(rule.ports) { _, _ in [] }
        for port in ports ?? [] { rules.append(join(peer.match, port) + "return") }
      }
    }
    return rules
  }

  private func join(_ a: String, _ b: String) -> String {
    [a, b].filter { !$0.isEmpty }.map { $0 + " " }.joined()
  }

  /// Each peer as an nft match ("" for any) and, for selector peers, the pods it names.
  private func peerMatches(
    _ peers: [NetworkPolicySpec.Peer], policyNamespace: String, field: String, includeLocal: Bool
  ) -> [(match: String, pods: [PolicyPod]?)] {
    if peers.isEmpty { return [("", nil)] }
    var result: [(String, [PolicyPod]?)] = []
    for peer in peers {
      if let block = peer.ipBlock {
        guard let cidr = IPv4.canonical(block.cidr) else { continue }
        let except = block.except.compactMap(IPv4.canonical)
        var match = "ip \(field) \(cidr)"
        if !except.isEmpty { match += " ip \(field) != { \(except.joined(separator: ", ")) }" }
        result.append((match, nil))
        continue
      }
      let candidates = snapshot.pods + (includeLocal ? snapshot.localServices : [])
      let pods = candidates.filter { pod in
        if let namespaceSelector = peer.namespaceSelector {
          guard namespaceSelector.matches(snapshot.namespaces[pod.namespace] ?? [:]) else { return false }
        } else if pod.namespace != policyNamespace {
          return false
        }
        return (peer.podSelector ?? .everything).matches(pod.labels)
      }.sorted { (IPv4.value($0.ip) ?? 0) < (IPv4.value($1.ip) ?? 0) }
      guard !pods.isEmpty else { continue }
      let ips = Array(Set(pods.map(\.ip))).sorted { (IPv4.value($0) ?? 0) < (IPv4.value($1) ?? 0) }
      result.append(("ip \(field) { \(ips.joined(separator: ", ")) }", pods))
    }
    return result
  }

  /// Port matches ("" for any port); nil when every listed port resolves to nothing.
  private func portMatches(
    _ ports: [NetworkPolicySpec.Port], named: (String, String) -> [PolicyPod.NamedPort]
  ) -> [String]? {
    if ports.isEmpty { return [""] }
    var result: [String] = []
    for port in ports {
      if let name = port.name {
        for resolved in named(name, port.proto) {
          result.append("meta l4proto \(port.proto) th dport \(resolved.port)")
        }
      } else if let number = port.number {
        if let end = port.endPort, end > number {
          result.append("meta l4proto \(port.proto) th dport \(number)-\(end)")
        } else {
          result.append("meta l4proto \(port.proto) th dport \(number)")
        }
      } else {
        result.append("meta l4proto \(port.proto)")
      }
    }
    return result.isEmpty ? nil : Array(uniqued(result))
  }
}

/// The array without repeats, first occurrence kept.
private func uniqued(_ items: [String]) -> [String] {
  var seen = Set<String>()
  return items.filter { seen.insert($0).inserted }
}
