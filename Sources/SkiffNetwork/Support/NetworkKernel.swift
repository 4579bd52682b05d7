import SkiffCore

/// A network interface as the kernel reports it.
public struct LinkInfo: Sendable, Equatable {
  public var index: Int32
  public var name: String
  public var mtu: Int
  public var mac: [UInt8]
  public var master: Int32?
  public var isUp: Bool

  public init(index: Int32, name: String, mtu: Int, mac: [UInt8], master: Int32? = nil, isUp: Bool = false) {
    self.index = index
    self.name = name
    self.mtu = mtu
    self.mac = mac
    self.master = master
    self.isUp = isUp
  }
}

/// An IPv4 address assigned to an interface.
public struct InterfaceAddress: Sendable, Hashable {
  public var index: Int32
  public var address: IPv4Address
  public var prefix: Int

  public init(index: Int32, address: IPv4Address, prefix: Int) {
    self.index = index
    self.address = address
    self.prefix = prefix
  }
}

/// A main-table IPv4 route.
public struct RouteEntry: Sendable, Hashable {
  public var destination: IPv4CIDR
  public var gateway: IPv4Address?
  public var interfaceIndex: Int32
  /// The gateway need not be on a connected subnet (the VXLAN layout routes via <podCIDR>.0).
  public var onLink: Bool

  public init(destination: IPv4CIDR, gateway: IPv4Address?, interfaceIndex: Int32, onLink: Bool = false) {
    self.destination = destination
    self.gateway = gateway
    self.interfaceIndex = interfaceIndex
    self.onLink = onLink
  }
}

/// A permanent ARP entry (`ip neigh`) or a bridge forwarding entry (`bridge fdb`) on one interface.
public struct NeighbourEntry: Sendable, Hashable {
  public var interfaceIndex: Int32
  /// For ARP entries the neighbour's IP; for FDB entries the remote VTEP's IP.
  public var address: IPv4Address
  public var mac: [UInt8]

  public init(interfaceIndex: Int32, address: IPv4Address, mac: [UInt8]) {
    self.interfaceIndex = interfaceIndex
    self.address = address
    self.mac = mac
  }
}

/// What a pod interface needs: the host-side veth name, the pod's address and route.
public struct PodInterfaceRequest: Sendable, Equatable {
  public var hostName: String
  /// `/proc/<pid>/ns/net` of the pod sandbox.
  public var networkNamespace: String
  public var address: IPv4Address
  public var prefix: Int
  public var gateway: IPv4Address
  public var mtu: Int
  public var bridgeIndex: Int32
}

/// The kernel operations the pod network and the overlay need. `NetlinkKernel` talks rtnetlink;
/// tests of the reconciling logic use an in-memory implementation.
public protocol NetworkKernel: Sendable {
  func links() throws(NetworkError) -> [LinkInfo]
  func link(named name: String) throws(NetworkError) -> LinkInfo?
  func createBridge(name: String, mtu: Int) throws(NetworkError)
  /// A VXLAN device without learning (entries are programmed), bound to the uplink.
  func createVXLAN(name: String, vni: UInt32, port: UInt16, local: IPv4Address, uplink: Int32, mtu: Int)
    throws(NetworkError)
  func setUp(_ index: Int32) throws(NetworkError)
  func setMTU(_ index: Int32, _ mtu: Int) throws(NetworkError)
  /// Deletes the interface; no error when it does not exist.
  func deleteLink(named name: String) throws(NetworkError)
  func addresses() throws(NetworkError) -> [InterfaceAddress]
  /// Adds the address; no error when it is already there.
  func addAddress(_ address: InterfaceAddress) throws(NetworkError)
  /// Creates the veth pair, plugs the host side into the bridge (hairpin on) and configures
  /// `eth0`, `lo` and the default route inside the pod's namespace.
  func createPodInterface(_ request: PodInterfaceRequest) throws(NetworkError)
  func routes() throws(NetworkError) -> [RouteEntry]
  func replaceRoute(_ route: RouteEntry) throws(NetworkError)
  /// Deletes the route; no error when it does not exist.
  func deleteRoute(_ route: RouteEntry) throws(NetworkError)
  func neighbours(interface: Int32) throws(NetworkError) -> [NeighbourEntry]
  func replaceNeighbour(_ entry: NeighbourEntry) throws(NetworkError)
  func deleteNeighbour(_ entry: NeighbourEntry) throws(NetworkError)
  func forwardingEntries(interface: Int32) throws(NetworkError) -> [NeighbourEntry]
  func replaceForwardingEntry(_ entry: NeighbourEntry) throws(NetworkError)
  func deleteForwardingEntry(_ entry: NeighbourEntry) throws(NetworkError)
  /// Writes /proc/sys/<name with dots as slashes>; answers false when the key does not exist.
  func setSysctl(_ name: String, _ value: String) throws(NetworkError) -> Bool
}

extension Array where Element == UInt8 {
  /// `aa:bb:cc:dd:ee:ff`.
  public var macText: String {
    map { byte in
      let hex = String(byte, radix: 16)
      return hex.count == 1 ? "0" + hex : hex
    }.joined(separator: ":")
  }

  /// Parses `aa:bb:cc:dd:ee:ff`.
  public init?(macText text: String) {
    let parts = text.split(separator: ":")
    guard parts.count == 6 else { return nil }
    var bytes: [UInt8] = []
    for part in parts {
      guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
      bytes.append(byte)
    }
    self = bytes
  }
}
