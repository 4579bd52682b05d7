/// This node's view of the cluster network: everything the ruleset generators need besides the
/// API objects, as plain values.
public struct ProxyConfiguration: Sendable, Equatable {
  public var nodeName: String
  /// The node's own IPv4 addresses: NodePorts and hostPorts answer on these.
  public var nodeIPs: [String]
  public var clusterCIDR: String
  public var serviceCIDR: String
  public var nodePortRange: ClosedRange<Int>
  /// Service IPs answered on the node itself (the cluster DNS binds `kube-dns`'s IP on a dummy
  /// interface): the proxy neither DNATs nor rejects traffic to them.
  public var localServiceIPs: Set<String>
  /// The packet-mark bit that asks the postrouting chain to masquerade (kube-proxy's value).
  public var masqueradeBit: UInt32

  public init(
    nodeName: String, nodeIPs: [String], clusterCIDR: String = "10.42.0.0/16", serviceCIDR: String = "10.43.0.0/16",
    nodePortRange: ClosedRange<Int> = 30000...32767, localServiceIPs: Set<String> = ["10.43.0.10"],
    masqueradeBit: UInt32 = 0x4000
  ) {
    self.nodeName = nodeName
    self.nodeIPs = nodeIPs
    self.clusterCIDR = clusterCIDR
    self.serviceCIDR = serviceCIDR
    self.nodePortRange = nodePortRange
    self.localServiceIPs = localServiceIPs
    self.masqueradeBit = masqueradeBit
  }

  /// Rejects malformed CIDRs and addresses before they reach nft as a cryptic syntax error.
  public func validate() throws(NetworkError) {
    for (flag, cidr) in [("cluster CIDR", clusterCIDR), ("service CIDR", serviceCIDR)] where !IPv4.isCIDR(cidr) {
      throw NetworkError(.invalidConfiguration, "\(flag) \(cidr) is not an IPv4 CIDR such as 10.42.0.0/16")
    }
    for ip in nodeIPs.sorted() + localServiceIPs.sorted() where !IPv4.isAddress(ip) {
      throw NetworkError(.invalidConfiguration, "\(ip) is not an IPv4 address (node IPs and local service IPs)")
    }
    guard nodePortRange.lowerBound > 0, nodePortRange.upperBound <= 65535 else {
      throw NetworkError(.invalidConfiguration, "NodePort range \(nodePortRange) is outside 1–65535")
    }
  }

  var masqueradeMark: String { "0x" + String(masqueradeBit, radix: 16) }
}

/// The API state one proxy sync renders: Services, their endpoints and this node's hostPorts.
public struct ProxySnapshot: Sendable, Equatable {
  public var services: [ProxiedService]
  /// Service key (`namespace/name`) → port name → endpoints.
  public var endpoints: [String: [String: [ServiceEndpoint]]]
  public var hostPorts: [HostPortMapping]

  public init(
    services: [ProxiedService] = [], endpoints: [String: [String: [ServiceEndpoint]]] = [:],
    hostPorts: [HostPortMapping] = []
  ) {
    self.services = services
    self.endpoints = endpoints
    self.hostPorts = hostPorts
  }
}
