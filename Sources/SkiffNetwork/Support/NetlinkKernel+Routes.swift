import Glibc
import SkiffCore

extension NetlinkKernel {
  // MARK: Routes

  public func routes() throws(NetworkError) -> [RouteEntry] {
    var message = NetlinkMessage(type: Netlink.getRoute, flags: 0)
    message.routeHeader(destinationPrefix: 0, scope: 0, flags: 0, protocol: 0)
    return try withSocket { socket throws(NetworkError) in
      try socket.dump(message, "list routes").compactMap { payload -> RouteEntry? in
        guard payload.count >= 12 else { return nil }
        let start = payload.startIndex
        let attributes = NetlinkAttributes(payload[(start + 12)...])
        let table = attributes.u32(Netlink.routeTable).map { Int($0) } ?? Int(payload[start + 4])
        guard payload[start] == Netlink.afInet, table == Int(Netlink.tableMain),
          payload[start + 7] == Netlink.routeUnicast
        else { return nil }
        let prefix = Int(payload[start + 1])
        let destination = attributes.ipv4(Netlink.routeDestination) ?? IPv4Address(0)
        return RouteEntry(
          destination: IPv4CIDR(network: destination, prefix: prefix), gateway: attributes.ipv4(Netlink.routeGateway),
          interfaceIndex: Int32(bitPattern: attributes.u32(Netlink.routeOutput) ?? 0),
          onLink: payload.readLittle(UInt32.self, at: start + 8) & Netlink.flagOnLink != 0)
      }
    }
  }

  static func routeMessage(_ route: RouteEntry, type: UInt16, flags: UInt16) -> NetlinkMessage {
    var message = NetlinkMessage(type: type, flags: flags)
    message.routeHeader(
      destinationPrefix: UInt8(route.destination.prefix),
      scope: route.gateway == nil ? Netlink.scopeLink : Netlink.scopeUniverse,
      flags: route.onLink ? Netlink.flagOnLink : 0)
    if route.destination.prefix > 0 { message.attribute(Netlink.routeDestination, route.destination.network.bytes) }
    if let gateway = route.gateway { message.attribute(Netlink.routeGateway, gateway.bytes) }
    message.attribute(Netlink.routeOutput, u32: UInt32(bitPattern: route.interfaceIndex))
    return message
  }

  public func replaceRoute(_ route: RouteEntry) throws(NetworkError) {
    let message = Self.routeMessage(route, type: Netlink.newRoute, flags: Netlink.create | Netlink.replace)
    try withSocket { socket throws(NetworkError) in
      try socket.perform(message, "add route to \(route.destination) via \(route.gateway?.description ?? "link")")
    }
  }

  public func deleteRoute(_ route: RouteEntry) throws(NetworkError) {
    let message = Self.routeMessage(route, type: Netlink.deleteRoute, flags: 0)
    try withSocket { socket throws(NetworkError) in
      do throws(NetworkError) {
        try socket.perform(message, "delete route to \(route.destination)")
      } catch {
        if socket.lastErrno != ESRCH && socket.lastErrno != ENODEV { throw error }
      }
    }
  }

  // MARK: Neighbours and forwarding entries

  func neighbourDump(family: UInt8, interface: Int32) throws(NetworkError) -> [NeighbourEntry] {
    var message = NetlinkMessage(type: Netlink.getNeighbour, flags: 0)
    message.neighbourHeader(family: family, index: 0, state: 0, flags: 0)
    return try withSocket { socket throws(NetworkError) in
      try socket.dump(message, "list neighbours").compactMap { payload -> NeighbourEntry? in
        guard payload.count >= 12 else { return nil }
        let start = payload.startIndex
        let index = Int32(bitPattern: payload.readLittle(UInt32.self, at: start + 4))
        let attributes = NetlinkAttributes(payload[(start + 12)...])
        guard payload[start] == family, index == interface, let address = attributes.ipv4(Netlink.neighbourDestination),
          let mac = attributes[Netlink.neighbourLinkAddress], mac.count == 6
        else { return nil }
        return NeighbourEntry(interfaceIndex: index, address: address, mac: Array(mac))
      }
    }
  }

  static func neighbourMessage(_ entry: NeighbourEntry, family: UInt8, type: UInt16, flags: UInt16) -> NetlinkMessage {
    var message = NetlinkMessage(type: type, flags: flags)
    message.neighbourHeader(
      family: family, index: entry.interfaceIndex, state: Netlink.statePermanent,
      flags: family == Netlink.afBridge ? Netlink.flagSelf : 0)
    message.attribute(Netlink.neighbourDestination, entry.address.bytes)
    message.attribute(Netlink.neighbourLinkAddress, entry.mac)
    return message
  }

  public func neighbours(interface: Int32) throws(NetworkError) -> [NeighbourEntry] {
    try neighbourDump(family: Netlink.afInet, interface: interface)
  }

  public func replaceNeighbour(_ entry: NeighbourEntry) throws(NetworkError) {
    let message = Self.neighbourMessage(
      entry, family: Netlink.afInet, type: Netlink.newNeighbour, flags: Netlink.create | Netlink.replace)
    try withSocket { socket throws(NetworkError) in
      try socket.perform(message, "add neighbour \(entry.address) lladdr \(entry.mac.macText)")
    }
  }

  public func deleteNeighbour(_ entry: NeighbourEntry) throws(NetworkError) {
    let message = Self.neighbourMessage(entry, family: Netlink.afInet, type: Netlink.deleteNeighbour, flags: 0)
    try withSocket { socket throws(NetworkError) in
      do throws(NetworkError) {
        try socket.perform(message, "delete neighbour \(entry.address)")
      } catch {
        if socket.lastErrno != ENOENT && socket.lastErrno != ENODEV { throw error }
      }
    }
  }

  public func forwardingEntries(interface: Int32) throws(NetworkError) -> [NeighbourEntry] {
    try neighbourDump(family: Netlink.afBridge, interface: interface)
  }

  public func replaceForwardingEntry(_ entry: NeighbourEntry) throws(NetworkError) {
    let message = Self.neighbourMessage(
      entry, family: Netlink.afBridge, type: Netlink.newNeighbour, flags: Netlink.create | Netlink.replace)
    try withSocket { socket throws(NetworkError) in
      try socket.perform(message, "add forwarding entry \(entry.mac.macText) dst \(entry.address)")
    }
  }

  public func deleteForwardingEntry(_ entry: NeighbourEntry) throws(NetworkError) {
    let message = Self.neighbourMessage(entry, family: Netlink.afBridge, type: Netlink.deleteNeighbour, flags: 0)
    try withSocket { socket throws(NetworkError) in
      do throws(NetworkError) {
        try socket.perform(message, "delete forwarding entry \(entry.mac.macText)")
      } catch {
        if socket.lastErrno != ENOENT && socket.lastErrno != ENODEV { throw error }
      }
    }
  }
}
