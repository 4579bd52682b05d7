import Glibc
import SkiffCore

/// `NetworkKernel` over rtnetlink: one NETLINK_ROUTE socket per call (cheap, and no shared
/// state between threads), no iproute2 processes on the pod start path.
public struct NetlinkKernel: NetworkKernel {
  public init() {}

  func withSocket<T>(_ body: (NetlinkSocket) throws(NetworkError) -> T) throws(NetworkError) -> T {
    let socket = try NetlinkSocket()
    return try body(socket)
  }

  // MARK: Links

  public func links() throws(NetworkError) -> [LinkInfo] {
    try withSocket { socket throws(NetworkError) in
      var message = NetlinkMessage(type: Netlink.getLink, flags: 0)
      message.linkHeader()
      return try socket.dump(message, "list interfaces").compactMap(Self.parseLink)
    }
  }

  public func link(named name: String) throws(NetworkError) -> LinkInfo? {
    try withSocket { socket throws(NetworkError) in try Self.link(named: name, socket: socket) }
  }

  static func link(named name: String, socket: NetlinkSocket) throws(NetworkError) -> LinkInfo? {
    var message = NetlinkMessage(type: Netlink.getLink, flags: 0)
    message.linkHeader()
    message.attribute(Netlink.linkName, string: name)
    do throws(NetworkError) {
      // Not a dump: a dump ignores the name and lists every interface.
      return try socket.request(message, "look up \(name)").compactMap(parseLink).first { $0.name == name }
    } catch {
      if socket.lastErrno == ENODEV { return nil }
      throw error
    }
  }

  static func parseLink(_ payload: ArraySlice<UInt8>) -> LinkInfo? {
    guard payload.count >= 16 else { return nil }
    let start = payload.startIndex
    let index = Int32(bitPattern: payload.readLittle(UInt32.self, at: start + 4))
    let flags = payload.readLittle(UInt32.self, at: start + 8)
    let attributes = NetlinkAttributes(payload[(start + 16)...])
    return LinkInfo(
      index: index, name: attributes.string(Netlink.linkName) ?? "", mtu: Int(attributes.u32(Netlink.linkMTU) ?? 0),
      mac: attributes[Netlink.linkAddress].map(Array.init) ?? [],
      master: attributes.u32(Netlink.linkMaster).map { Int32(bitPattern: $0) },
      isUp: flags & Netlink.interfaceUp != 0)
  }

  public func createBridge(name: String, mtu: Int) throws(NetworkError) {
    var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.create | Netlink.exclusive)
    message.linkHeader(flags: Netlink.interfaceUp, change: Netlink.interfaceUp)
    message.attribute(Netlink.linkName, string: name)
    message.attribute(Netlink.linkMTU, u32: UInt32(mtu))
    message.nested(Netlink.linkInfo) { $0.attribute(Netlink.infoKind, string: "bridge") }
    try withSocket { socket throws(NetworkError) in try socket.perform(message, "create bridge \(name)") }
  }

  public func createVXLAN(name: String, vni: UInt32, port: UInt16, local: IPv4Address, uplink: Int32, mtu: Int)
    throws(NetworkError)
  {
    var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.create | Netlink.exclusive)
    message.linkHeader()
    message.attribute(Netlink.linkName, string: name)
    message.attribute(Netlink.linkMTU, u32: UInt32(mtu))
    message.nested(Netlink.linkInfo) { info in
      info.attribute(Netlink.infoKind, string: "vxlan")
      info.nested(Netlink.infoData) { data in
        data.attribute(Netlink.vxlanID, u32: vni)
        data.attribute(Netlink.vxlanLocal, local.bytes)
        data.attribute(Netlink.vxlanLink, u32: UInt32(bitPattern: uplink))
        data.attribute(Netlink.vxlanPort, [UInt8(port >> 8), UInt8(port & 0xff)])
        data.attribute(Netlink.vxlanLearning, u8: 0)
      }
    }
    try withSocket { socket throws(NetworkError) in try socket.perform(message, "create VXLAN device \(name)") }
  }

  public func setUp(_ index: Int32) throws(NetworkError) {
    try withSocket { socket throws(NetworkError) in try Self.setUp(index, socket: socket) }
  }

  static func setUp(_ index: Int32, socket: NetlinkSocket) throws(NetworkError) {
    var message = NetlinkMessage(type: Netlink.newLink, flags: 0)
    message.linkHeader(index: index, flags: Netlink.interfaceUp, change: Netlink.interfaceUp)
    try socket.perform(message, "bring interface \(index) up")
  }

  public func setMTU(_ index: Int32, _ mtu: Int) throws(NetworkError) {
    var message = NetlinkMessage(type: Netlink.newLink, flags: 0)
    message.linkHeader(index: index)
    message.attribute(Netlink.linkMTU, u32: UInt32(mtu))
    try withSocket { socket throws(NetworkError) in try socket.perform(message, "set the MTU of interface \(index)") }
  }

  public func deleteLink(named name: String) throws(NetworkError) {
    var message = NetlinkMessage(type: Netlink.deleteLink, flags: 0)
    message.linkHeader()
    message.attribute(Netlink.linkName, string: name)
    try withSocket { socket throws(NetworkError) in
      do throws(NetworkError) {
        try socket.perform(message, "delete interface \(name)")
      } catch {
        if socket.lastErrno != ENODEV { throw error }
      }
    }
  }

  // MARK: Addresses

  public func addresses() throws(NetworkError) -> [InterfaceAddress] {
    var message = NetlinkMessage(type: Netlink.getAddress, flags: 0)
    message.addressHeader(prefix: 0, index: 0)
    return try withSocket { socket throws(NetworkError) in
      try socket.dump(message, "list addresses").compactMap { payload -> InterfaceAddress? in
        guard payload.count >= 8, payload[payload.startIndex] == Netlink.afInet else { return nil }
        let start = payload.startIndex
        let attributes = NetlinkAttributes(payload[(start + 8)...])
        guard let address = attributes.ipv4(Netlink.addressLocal) ?? attributes.ipv4(Netlink.addressAddress) else {
          return nil
        }
        return InterfaceAddress(
          index: Int32(bitPattern: payload.readLittle(UInt32.self, at: start + 4)), address: address,
          prefix: Int(payload[start + 1]))
      }
    }
  }

  public func addAddress(_ address: InterfaceAddress) throws(NetworkError) {
    try withSocket { socket throws(NetworkError) in try Self.addAddress(address, socket: socket) }
  }

  static func addAddress(_ address: InterfaceAddress, socket: NetlinkSocket) throws(NetworkError) {
    var message = NetlinkMessage(type: Netlink.newAddress, flags: Netlink.create | Netlink.exclusive)
    message.addressHeader(prefix: UInt8(address.prefix), index: address.index)
    message.attribute(Netlink.addressLocal, address.address.bytes)
    message.attribute(Netlink.addressAddress, address.address.bytes)
    if address.prefix < 31 {
      message.attribute(
        Netlink.addressBroadcast, IPv4CIDR(network: address.address, prefix: address.prefix).broadcast.bytes)
    }
    do throws(NetworkError) {
      try socket.perform(message, "add address \(address.address)/\(address.prefix)")
    } catch {
      if socket.lastErrno != EEXIST { throw error }
    }
  }

  // MARK: Sysctls

  public func setSysctl(_ name: String, _ value: String) throws(NetworkError) -> Bool {
    let path = "/proc/sys/" + String(name.map { $0 == "." ? "/" : $0 })
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { return false }
      throw NetworkError(.kernel, "cannot open \(path): \(NetlinkSocket.errorText(errno))")
    }
    defer { close(fd) }
    let bytes = Array((value + "\n").utf8)
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
      throw NetworkError(.kernel, "cannot set \(name)=\(value): \(NetlinkSocket.errorText(errno))")
    }
    return true
  }
}
