import Glibc
import SkiffCore

extension NetlinkKernel {
  public func createPodInterface(_ request: PodInterfaceRequest) throws(NetworkError) {
    let namespace = open(request.networkNamespace, O_RDONLY | O_CLOEXEC)
    guard namespace >= 0 else {
      throw NetworkError(.kernel, "the pod's network namespace \(request.networkNamespace) is gone")
    }
    defer { close(namespace) }
    let host = try NetlinkSocket()
    // A half-done earlier attempt for this sandbox: its pod side goes with the host side.
    try deleteLink(named: request.hostName)
    var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.create | Netlink.exclusive)
    message.linkHeader(flags: Netlink.interfaceUp, change: Netlink.interfaceUp)
    message.attribute(Netlink.linkName, string: request.hostName)
    message.attribute(Netlink.linkMTU, u32: UInt32(request.mtu))
    message.attribute(Netlink.linkMaster, u32: UInt32(bitPattern: request.bridgeIndex))
    message.nested(Netlink.linkInfo) { info in
      info.attribute(Netlink.infoKind, string: "veth")
      info.nested(Netlink.infoData) { data in
        data.nested(Netlink.vethPeer) { peer in
          peer.linkHeader()
          peer.attribute(Netlink.linkName, string: "eth0")
          peer.attribute(Netlink.linkMTU, u32: UInt32(request.mtu))
          peer.attribute(Netlink.linkNamespaceFD, u32: UInt32(bitPattern: namespace))
        }
      }
    }
    try host.perform(message, "create veth pair \(request.hostName) for \(request.networkNamespace)")
    guard let veth = try Self.link(named: request.hostName, socket: host) else {
      throw NetworkError(.kernel, "veth \(request.hostName) vanished right after it was created")
    }
    // Hairpin: a pod reaching itself through a service address gets its packets back.
    var hairpin = NetlinkMessage(type: Netlink.setLink, flags: 0)
    hairpin.linkHeader(family: Netlink.afBridge, index: veth.index)
    hairpin.nested(Netlink.linkProtocolInfo) { $0.attribute(Netlink.bridgePortHairpin, u8: 1) }
    try host.perform(hairpin, "turn hairpin mode on for \(request.hostName)")

    let pod = try Self.socket(inNamespace: namespace, path: request.networkNamespace)
    try Self.setUp(1, socket: pod)
    guard let eth0 = try Self.link(named: "eth0", socket: pod) else {
      throw NetworkError(.kernel, "eth0 did not appear in \(request.networkNamespace)")
    }
    try Self.addAddress(
      InterfaceAddress(index: eth0.index, address: request.address, prefix: request.prefix), socket: pod)
    try Self.setUp(eth0.index, socket: pod)
    let route = RouteEntry(
      destination: IPv4CIDR(network: IPv4Address(0), prefix: 0), gateway: request.gateway, interfaceIndex: eth0.index)
    try pod.perform(
      Self.routeMessage(route, type: Netlink.newRoute, flags: Netlink.create | Netlink.replace),
      "add the default route via \(request.gateway) in \(request.networkNamespace)")
  }

  /// A netlink socket inside another network namespace. A thread started for this enters the
  /// namespace, opens the socket and ends; no thread of the caller's ever changes namespace.
  static func socket(inNamespace fd: Int32, path: String) throws(NetworkError) -> NetlinkSocket {
    try NetworkNamespace.run(fd: fd, path: path) { () throws(NetworkError) in try NetlinkSocket() }
  }
}
