/// Which UDP conntrack entries to delete after a sync. UDP has no connection end, so an entry
/// DNATed to a gone endpoint (or cached while the Service had none) would keep black-holing a
/// client's flow until it times out; kube-proxy deletes them, and so do we.
public enum ConntrackPlan {
  /// One `conntrack -D` filter, as arguments.
  public typealias Deletion = [String]

  enum Entry: Hashable, Comparable {
    case address(String, Int)
    case nodePort(Int)
  }

  public static func deletions(
    from old: ProxySnapshot, to new: ProxySnapshot, configuration: ProxyConfiguration
  ) -> [Deletion] {
    let before = entries(old, configuration)
    let after = entries(new, configuration)
    var result: [Deletion] = []
    for (entry, oldEndpoints) in before.sorted(by: { $0.key < $1.key }) {
      guard let newEndpoints = after[entry] else {
        result.append(filter(entry))
        continue
      }
      for ip in oldEndpoints.subtracting(newEndpoints).sorted() { result.append(filter(entry) + ["--reply-src", ip]) }
    }
    for (entry, newEndpoints) in after.sorted(by: { $0.key < $1.key }) where !newEndpoints.isEmpty {
      // Flows seen while the Service had no endpoint were never DNATed; drop them so the next
      // datagram is.
      if before[entry]?.isEmpty ?? true { result.append(filter(entry)) }
    }
    return result
  }

  static func filter(_ entry: Entry) -> Deletion {
    switch entry {
    case .address(let ip, let port): return ["-D", "-p", "udp", "--orig-dst", ip, "--orig-port-dst", String(port)]
    case .nodePort(let port): return ["-D", "-p", "udp", "--orig-port-dst", String(port)]
    }
  }

  /// Every UDP address a Service answers on, with the endpoint IPs behind it.
  static func entries(_ snapshot: ProxySnapshot, _ configuration: ProxyConfiguration) -> [Entry: Set<String>] {
    var result: [Entry: Set<String>] = [:]
    for service in snapshot.services {
      for port in service.ports where port.proto == "udp" {
        let endpoints = Set(
          ServiceEndpoint.usable(snapshot.endpoints[service.key]?[port.name] ?? []).map(\.ip))
        for ip in service.clusterIPs + service.externalIPs + service.loadBalancerIPs
        where !configuration.localServiceIPs.contains(ip) {
          result[.address(ip, port.port), default: []].formUnion(endpoints)
        }
        if service.exposesNodePorts, let nodePort = port.nodePort {
          result[.nodePort(nodePort), default: []].formUnion(endpoints)
        }
      }
    }
    return result
  }
}
