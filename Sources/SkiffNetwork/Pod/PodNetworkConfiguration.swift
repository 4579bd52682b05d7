import SkiffCore

/// How pods reach each other across nodes.
public enum NetworkBackend: String, Sendable, CaseIterable, Codable {
  /// Kernel VXLAN (`skiff.1`, VNI 1, UDP 8472), flannel's layout.
  case vxlan
  /// Plain routes to each node's pod CIDR via its IP: nodes must share one L2 segment.
  case hostGW = "host-gw"
  /// No pod network: each pod gets an isolated namespace with loopback only (bring your own CNI).
  case none
}

/// What the node's pod network is built from; `podCIDR` comes later, from the Node object.
public struct PodNetworkConfiguration: Sendable, Equatable {
  public var backend: NetworkBackend
  /// All pods of the cluster (the service proxy masquerades traffic leaving it).
  public var clusterCIDR: IPv4CIDR
  /// The node's own IP: VXLAN packets leave from it and peers reach us at it.
  public var nodeIP: IPv4Address
  /// The uplink by name (`--network-iface`); default: the interface carrying `nodeIP`.
  public var interface: String?
  /// `<data-dir>/agent/network`: IPAM state lives under it.
  public var directory: String
  public var bridgeName = "skiff0"
  public var vxlanName = "skiff.1"
  public var vni: UInt32 = 1
  public var vxlanPort: UInt16 = 8472
  /// VXLAN encapsulation: outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14).
  public static let vxlanOverhead = 50

  public init(
    backend: NetworkBackend, clusterCIDR: IPv4CIDR, nodeIP: IPv4Address, directory: String, interface: String? = nil
  ) {
    self.backend = backend
    self.clusterCIDR = clusterCIDR
    self.nodeIP = nodeIP
    self.directory = directory
    self.interface = interface
  }

  /// Parses the text forms flags and config files give; the error names the bad value.
  public init(
    backend: String, clusterCIDR: String, nodeIP: String, directory: String, interface: String? = nil
  ) throws(NetworkError) {
    guard let parsedBackend = NetworkBackend(rawValue: backend) else {
      throw NetworkError(
        .invalidConfiguration,
        "unknown network backend \"\(backend)\": use one of \(NetworkBackend.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    guard let cidr = IPv4CIDR(clusterCIDR), cidr.prefix <= 24 else {
      throw NetworkError(
        .invalidConfiguration, "cluster CIDR \"\(clusterCIDR)\" is not an IPv4 range of /24 or larger (10.42.0.0/16)")
    }
    guard let address = IPv4Address(nodeIP) ?? (parsedBackend == .none ? IPv4Address(0) : nil) else {
      throw NetworkError(.invalidConfiguration, "node IP \"\(nodeIP)\" is not an IPv4 address")
    }
    if let interface, interface.isEmpty || interface.utf8.count > 15 || interface.contains("/") {
      throw NetworkError(.invalidConfiguration, "network interface \"\(interface)\" is not a valid interface name")
    }
    self.init(backend: parsedBackend, clusterCIDR: cidr, nodeIP: address, directory: directory, interface: interface)
  }

  /// The host side of a pod's veth pair: stable per pod so teardown finds it without state.
  public static func hostInterfaceName(podUID: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in podUID.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    let padded = String(repeating: "0", count: 16 - hex.count) + hex
    return "skv" + padded.prefix(12)
  }
}
