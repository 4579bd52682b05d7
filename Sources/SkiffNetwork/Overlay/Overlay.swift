import SkiffCore

/// Routes (and for VXLAN, neighbour and forwarding entries) to the other nodes' pod CIDRs,
/// reconciled level-based: what the peers need is added or replaced, anything else of ours
/// within the cluster CIDR is removed, so deleted nodes and backend switches leave nothing.
public struct Overlay: Sendable {
  public let configuration: PodNetworkConfiguration
  let kernel: any NetworkKernel

  public init(configuration: PodNetworkConfiguration, kernel: any NetworkKernel = NetlinkKernel()) {
    self.configuration = configuration
    self.kernel = kernel
  }

  /// What one reconcile changed.
  public struct Changes: Sendable, Equatable {
    public var added = 0
    public var removed = 0
  }

  /// The VXLAN device with flannel's layout (`<podCIDR network>.0/32`), created when missing;
  /// nil for other backends.
  public func setUp(podCIDR: IPv4CIDR, uplink: LinkInfo, mtu: Int) throws(NetworkError) -> LinkInfo? {
    guard configuration.backend == .vxlan else {
      try kernel.deleteLink(named: configuration.vxlanName)
      return nil
    }
    let name = configuration.vxlanName
    if try kernel.link(named: name) == nil {
      try kernel.createVXLAN(
        name: name, vni: configuration.vni, port: configuration.vxlanPort, local: configuration.nodeIP,
        uplink: uplink.index, mtu: mtu)
    }
    guard let device = try kernel.link(named: name) else {
      throw NetworkError(.kernel, "VXLAN device \(name) vanished right after it was created")
    }
    if device.mtu != mtu { try kernel.setMTU(device.index, mtu) }
    try kernel.addAddress(InterfaceAddress(index: device.index, address: podCIDR.network, prefix: 32))
    if !device.isUp { try kernel.setUp(device.index) }
    return device
  }

  /// Makes the kernel's entries match `peers` (this node excluded by its pod CIDR).
  @discardableResult
  public func reconcile(peers: [OverlayPeer], podCIDR: IPv4CIDR, uplink: LinkInfo, device: LinkInfo?)
    throws(NetworkError) -> Changes
  {
    let others = peers.filter { $0.podCIDR != podCIDR && configuration.clusterCIDR.contains($0.podCIDR) }
    var changes = Changes()
    var wantedRoutes: [IPv4CIDR: RouteEntry] = [:]
    var wantedNeighbours: [IPv4Address: NeighbourEntry] = [:]
    var wantedForwarding: [[UInt8]: NeighbourEntry] = [:]
    for peer in others {
      switch configuration.backend {
      case .vxlan:
        guard let device, let mac = peer.vtepMAC else { continue }
        let vtep = peer.podCIDR.network
        wantedRoutes[peer.podCIDR] = RouteEntry(
          destination: peer.podCIDR, gateway: vtep, interfaceIndex: device.index, onLink: true)
        wantedNeighbours[vtep] = NeighbourEntry(interfaceIndex: device.index, address: vtep, mac: mac)
        wantedForwarding[mac] = NeighbourEntry(interfaceIndex: device.index, address: peer.publicIP, mac: mac)
      case .hostGW:
        wantedRoutes[peer.podCIDR] = RouteEntry(
          destination: peer.podCIDR, gateway: peer.publicIP, interfaceIndex: uplink.index)
      case .none:
        continue
      }
    }
    // Ours: gateway routes into the cluster CIDR other than this node's own range.
    let current = try kernel.routes().filter {
      $0.gateway != nil && $0.destination != podCIDR && configuration.clusterCIDR.contains($0.destination)
    }
    for route in current where wantedRoutes[route.destination] != route {
      try kernel.deleteRoute(route)
      changes.removed += 1
    }
    for (destination, route) in wantedRoutes where !current.contains(route) {
      _ = destination
      try kernel.replaceRoute(route)
      changes.added += 1
    }
    guard let device else { return changes }
    let neighbours = try kernel.neighbours(interface: device.index)
    for entry in neighbours where wantedNeighbours[entry.address] != entry {
      try kernel.deleteNeighbour(entry)
      changes.removed += 1
    }
    for entry in wantedNeighbours.values where !neighbours.contains(entry) {
      try kernel.replaceNeighbour(entry)
      changes.added += 1
    }
    let forwarding = try kernel.forwardingEntries(interface: device.index)
    for entry in forwarding where wantedForwarding[entry.mac] != entry {
      try kernel.deleteForwardingEntry(entry)
      changes.removed += 1
    }
    for entry in wantedForwarding.values where !forwarding.contains(entry) {
      try kernel.replaceForwardingEntry(entry)
      changes.added += 1
    }
    return changes
  }
}
