/// Renders Services into the `skiff` table: one verdict map lookup per packet (`service-ips`,
/// `service-nodeports`) dispatches to a chain per Service port, like kube-proxy's nftables mode.
/// Unlike kube-proxy, that chain DNATs in one rule, `numgen random mod N offset K map
/// @endpoints-P-S`: every Service port owns the slots K..<K+N of one of `endpointShards` shared
/// maps per protocol. A Service so costs one chain and no set of its own however many endpoints it has;
/// chains and sets are what `nft` spends its time on (1,000 Services × 10 endpoints went from
/// 11,000 chains and 1.9 s to 1,200 chains). Shards, because the kernel walks a whole map each
/// time a rule binds to it. Only session affinity needs a chain per endpoint. Hairpin traffic (a pod reaching itself through its
/// Service) is masqueraded from one `hairpin` set of `ip . ip` pairs in postrouting.
/// Services without a usable endpoint land in `no-endpoint-*` maps checked by filter chains.
///
/// Assumes bridged pod traffic passes netfilter (`br_netfilter` with
/// `net.bridge.bridge-nf-call-iptables=1`, set up by the pod network), so pod-to-pod traffic
/// on one bridge reaches these hooks.
public enum ProxyRules {
  static let serviceIPs = "service-ips"
  static let serviceNodePorts = "service-nodeports"
  static let noEndpointServices = "no-endpoint-services"
  static let noEndpointNodePorts = "no-endpoint-nodeports"
  static let nodeIPs = "node-ips"
  static let hairpin = "hairpin"
  static let endpointShards: UInt32 = 64
  static let markForMasquerade = "mark-for-masquerade"
  static let rejectChain = "reject-chain"
  static let ipPortType = "ipv4_addr . inet_proto . inet_service : verdict"
  static let portType = "inet_proto . inet_service : verdict"

  /// Adds the base chains, the pod-network NAT and every Service to the table.
  public static func render(_ snapshot: ProxySnapshot, configuration: ProxyConfiguration, into table: inout NFTTable) {
    base(configuration, into: &table)
    hostPorts(snapshot.hostPorts, configuration: configuration, into: &table)
    for service in snapshot.services.sorted(by: { $0.key < $1.key }) {
      render(service, endpoints: snapshot.endpoints[service.key] ?? [:], configuration: configuration, into: &table)
    }
  }

  /// Chains and maps every ruleset has, Services or not.
  static func base(_ configuration: ProxyConfiguration, into table: inout NFTTable) {
    let cluster = IPv4.canonical(configuration.clusterCIDR) ?? configuration.clusterCIDR
    let mark = configuration.masqueradeMark
    table.set(NFTSet(name: nodeIPs, type: "ipv4_addr", elements: configuration.nodeIPs.sorted()))
    table.set(NFTSet(name: serviceIPs, type: ipPortType, isMap: true, comment: "ClusterIP, external IP, LB IP"))
    table.set(NFTSet(name: serviceNodePorts, type: portType, isMap: true, comment: "NodePort on node-ips"))
    table.set(NFTSet(name: noEndpointServices, type: ipPortType, isMap: true, comment: "no usable endpoint"))
    table.set(NFTSet(name: noEndpointNodePorts, type: portType, isMap: true, comment: "no usable endpoint"))
    table.set(NFTSet(name: hairpin, type: "ipv4_addr . ipv4_addr", comment: "local endpoint reaching itself"))

    table.chain("nat-prerouting", base: .init(type: "nat", hook: "prerouting", priority: "dstnat"))
    table.add("nat-prerouting", "jump services", "jump hostports")
    table.chain("nat-output", base: .init(type: "nat", hook: "output", priority: "-100"))
    table.add("nat-output", "jump services", "jump hostports")
    table.chain("nat-postrouting", base: .init(type: "nat", hook: "postrouting", priority: "srcnat"))
    table.add(
      "nat-postrouting",
      "jump masquerading",
      "ct status dnat ip saddr . ip daddr @\(hairpin) masquerade fully-random",
      // Pods reaching outside the cluster network leave with the node's address.
      "ip saddr \(cluster) ip daddr != \(cluster) ip daddr != 224.0.0.0/4 masquerade fully-random")
    table.add(
      "masquerading",
      "meta mark & \(mark) == 0 return",
      "meta mark set meta mark ^ \(mark)",
      "masquerade fully-random")
    table.add(markForMasquerade, "meta mark set meta mark | \(mark)")
    table.add(
      "services",
      "ip daddr . meta l4proto . th dport vmap @\(serviceIPs)",
      "ip daddr @\(nodeIPs) meta l4proto . th dport vmap @\(serviceNodePorts)")
    table.chain("hostports")

    // Rejects run before NAT on output (-110 < -100) and see the original destination elsewhere.
    for hook in ["input", "forward", "output"] {
      table.chain("filter-\(hook)", base: .init(type: "filter", hook: hook, priority: "-110"))
      table.add("filter-\(hook)", "ct state new jump endpoints-check")
    }
    table.add(
      "endpoints-check",
      "ip daddr . meta l4proto . th dport vmap @\(noEndpointServices)",
      "ip daddr @\(nodeIPs) meta l4proto . th dport vmap @\(noEndpointNodePorts)")
    table.add(rejectChain, "reject")
  }

  static func hostPorts(_ mappings: [HostPortMapping], configuration: ProxyConfiguration, into table: inout NFTTable) {
    for mapping in Set(mappings).sorted() {
      let destination = mapping.hostIP.map { "ip daddr \($0)" } ?? "ip daddr @\(nodeIPs)"
      let match = "\(destination) meta l4proto \(mapping.proto) th dport \(mapping.hostPort)"
      table.add(
        "hostports",
        // A pod reaching its own hostPort must see replies come back through the node.
        "\(match) ip saddr \(mapping.podIP) jump \(markForMasquerade)",
        "\(match) dnat to \(mapping.podIP):\(mapping.containerPort)")
    }
  }

  static func render(
    _ service: ProxiedService, endpoints: [String: [ServiceEndpoint]], configuration: ProxyConfiguration,
    into table: inout NFTTable
  ) {
    let clusterIPs = service.clusterIPs.filter { !configuration.localServiceIPs.contains($0) }
    for port in service.ports {
      let id = "\(service.namespace)/\(service.name)/\(port.proto)/\(port.port)"
      let available = endpoints[port.name] ?? []
      let all = ServiceEndpoint.usable(available)
      let local = ServiceEndpoint.usable(available.filter { $0.nodeName == configuration.nodeName })
      let clusterChain = "svc-\(id)"
      let localChain = "local-\(id)"
      let externalChain = "ext-\(id)"
      let nodePort = port.nodePort.flatMap {
        service.exposesNodePorts && configuration.nodePortRange.contains($0) ? $0 : nil
      }
      let externalIPs = service.externalIPs + service.loadBalancerIPs
      let hasExternal = nodePort != nil || !externalIPs.isEmpty

      if !all.isEmpty {
        table.add(
          clusterChain, "ip saddr != \(IPv4.canonical(configuration.clusterCIDR) ?? "") jump \(markForMasquerade)")
        dispatch(
          all, from: clusterChain, id: id, port: port, service: service, configuration: configuration,
          into: &table)
      }
      let needsLocal = service.internalTrafficLocal || (service.externalTrafficLocal && hasExternal)
      if needsLocal && !local.isEmpty {
        dispatch(
          local, from: localChain, id: id, port: port, service: service, configuration: configuration,
          into: &table)
      }
      if service.externalTrafficLocal && hasExternal && !all.isEmpty {
        // Pods and the node itself get cluster-wide endpoints; outside clients only local ones,
        // unmasqueraded so the backend sees their address.
        table.add(
          externalChain,
          "ip saddr \(IPv4.canonical(configuration.clusterCIDR) ?? "") goto \(clusterChain)",
          "fib saddr type local jump \(markForMasquerade)",
          "fib saddr type local goto \(clusterChain)",
          local.isEmpty ? "drop" : "goto \(localChain)")
      }

      let internalVerdict: String
      if service.internalTrafficLocal {
        internalVerdict = local.isEmpty ? (all.isEmpty ? "goto \(rejectChain)" : "drop") : "goto \(localChain)"
      } else {
        internalVerdict = all.isEmpty ? "goto \(rejectChain)" : "goto \(clusterChain)"
      }
      let externalVerdict =
        all.isEmpty
        ? "goto \(rejectChain)" : service.externalTrafficLocal ? "goto \(externalChain)" : "goto \(clusterChain)"
      let internalMap =
        internalVerdict.hasPrefix("goto svc") || internalVerdict.hasPrefix("goto local")
        ? serviceIPs : noEndpointServices
      let externalIPMap = all.isEmpty ? noEndpointServices : serviceIPs
      let nodePortMap = all.isEmpty ? noEndpointNodePorts : serviceNodePorts
      for ip in clusterIPs {
        table.addElements(internalMap, ["\(ip) . \(port.proto) . \(port.port) : \(internalVerdict)"])
      }
      for ip in externalIPs {
        table.addElements(externalIPMap, ["\(ip) . \(port.proto) . \(port.port) : \(externalVerdict)"])
      }
      if let nodePort {
        table.addElements(nodePortMap, ["\(port.proto) . \(nodePort) : \(externalVerdict)"])
      }
    }
  }

  /// Fills a policy chain with a random pick among `endpoints`. With session affinity, each
  /// endpoint gets a chain that records the client in a dynamic set, checked first.
  static func dispatch(
    _ endpoints: [ServiceEndpoint], from chain: String, id: String, port: ProxiedService.Port,
    service: ProxiedService, configuration: ProxyConfiguration, into table: inout NFTTable
  ) {
    for endpoint in endpoints where endpoint.nodeName == nil || endpoint.nodeName == configuration.nodeName {
      table.addElements(hairpin, ["\(endpoint.ip) . \(endpoint.ip)"])
    }
    let dnat = "meta l4proto \(port.proto) dnat ip to"
    guard let timeout = service.affinityTimeout else {
      if endpoints.count == 1 {
        table.add(chain, "\(dnat) \(endpoints[0].ip):\(endpoints[0].port)")
      } else {
        // The shard follows from the chain's name and slots are handed out in render order: the
        // same snapshot always gives the same table, and a change moves slots in one shard only.
        // One map per protocol: nft cannot read back a map typed `th dport` (protocol-neutral)
        // from the kernel to add a rule that uses it.
        let shard = "endpoints-\(port.proto)-\(fnv1a(chain) % endpointShards)"
        if table.sets[shard] == nil {
          let type = "typeof numgen random mod 1 : ip daddr . \(port.proto) dport"
          table.set(NFTSet(name: shard, type: type, isMap: true))
        }
        let offset = table.sets[shard]!.elements.count
        let slots = endpoints.enumerated().map { "\(offset + $0.offset) : \($0.element.ip) . \($0.element.port)" }
        table.addElements(shard, slots)
        table.add(chain, "\(dnat) numgen random mod \(endpoints.count) offset \(offset) map @\(shard)")
      }
      return
    }
    var targets: [String] = []
    for endpoint in endpoints {
      let suffix = "\(id)__\(endpoint.ip)/\(endpoint.port)"
      let endpointChain = "ep-\(suffix)"
      let affinity = "aff-\(suffix)"
      targets.append(endpointChain)
      if table.chains[endpointChain] == nil {
        table.set(NFTSet(name: affinity, type: "ipv4_addr", flags: ["dynamic", "timeout"], timeout: timeout))
        table.add(endpointChain, "update @\(affinity) { ip saddr }", "\(dnat) \(endpoint.ip):\(endpoint.port)")
      }
      table.add(chain, "ip saddr @\(affinity) goto \(endpointChain)")
    }
    let branches = targets.enumerated().map { "\($0.offset) : goto \($0.element)" }
    table.add(chain, "numgen random mod \(targets.count) vmap { \(branches.joined(separator: ", ")) }")
  }

  /// FNV-1a: a hash that is the same in every process (Swift's `Hasher` is seeded per run).
  static func fnv1a(_ text: String) -> UInt32 {
    text.utf8.reduce(2_166_136_261) { ($0 ^ UInt32($1)) &* 16_777_619 }
  }
}
