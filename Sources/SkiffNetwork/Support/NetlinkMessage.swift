import SkiffCore

/// One rtnetlink request being built: a family header followed by attributes, with nesting.
/// Pure bytes, so the encoding is unit-tested without a socket.
struct NetlinkMessage {
  var type: UInt16
  var flags: UInt16
  /// The family header and attributes (everything after the 16-byte nlmsghdr).
  var payload: [UInt8] = []

  init(type: UInt16, flags: UInt16) {
    self.type = type
    self.flags = flags | Netlink.request
  }

  /// The whole message with its header, ready to send.
  func encoded(sequence: UInt32) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(16 + payload.count)
    bytes.appendLittle(UInt32(16 + payload.count))
    bytes.appendLittle(type)
    bytes.appendLittle(flags)
    bytes.appendLittle(sequence)
    bytes.appendLittle(UInt32(0))
    return bytes + payload
  }

  // MARK: Family headers

  /// struct ifinfomsg.
  mutating func linkHeader(family: UInt8 = 0, index: Int32 = 0, flags: UInt32 = 0, change: UInt32 = 0) {
    payload += [family, 0, 0, 0]
    payload.appendLittle(UInt32(bitPattern: index))
    payload.appendLittle(flags)
    payload.appendLittle(change)
  }

  /// struct ifaddrmsg.
  mutating func addressHeader(prefix: UInt8, index: Int32, scope: UInt8 = 0) {
    payload += [Netlink.afInet, prefix, 0, scope]
    payload.appendLittle(UInt32(bitPattern: index))
  }

  /// struct rtmsg for a main-table unicast route.
  mutating func routeHeader(
    destinationPrefix: UInt8, scope: UInt8, flags: UInt32, protocol: UInt8 = Netlink.protocolBoot
  ) {
    payload += [Netlink.afInet, destinationPrefix, 0, 0, Netlink.tableMain, `protocol`, scope, Netlink.routeUnicast]
    payload.appendLittle(flags)
  }

  /// struct ndmsg.
  mutating func neighbourHeader(family: UInt8, index: Int32, state: UInt16, flags: UInt8) {
    payload += [family, 0, 0, 0]
    payload.appendLittle(UInt32(bitPattern: index))
    payload.appendLittle(state)
    payload += [flags, 0]
  }

  // MARK: Attributes

  mutating func attribute(_ type: UInt16, _ value: [UInt8]) {
    payload.appendLittle(UInt16(4 + value.count))
    payload.appendLittle(type)
    payload += value
    pad()
  }

  mutating func attribute(_ type: UInt16, string: String) { attribute(type, Array(string.utf8) + [0]) }

  mutating func attribute(_ type: UInt16, u32 value: UInt32) {
    var bytes: [UInt8] = []
    bytes.appendLittle(value)
    attribute(type, bytes)
  }

  mutating func attribute(_ type: UInt16, u8 value: UInt8) { attribute(type, [value]) }

  /// A nested attribute whose length is patched once `build` has added its children.
  mutating func nested(_ type: UInt16, _ build: (inout NetlinkMessage) -> Void) {
    let start = payload.count
    payload += [0, 0, 0, 0]
    build(&self)
    let length = UInt16(payload.count - start)
    payload[start] = UInt8(length & 0xff)
    payload[start + 1] = UInt8(length >> 8)
    let flagged = type | Netlink.nestedFlag
    payload[start + 2] = UInt8(flagged & 0xff)
    payload[start + 3] = UInt8(flagged >> 8)
  }

  private mutating func pad() {
    while payload.count % 4 != 0 { payload.append(0) }
  }
}

/// Attributes of a received message: type (without the nested flag) to payload.
struct NetlinkAttributes {
  var values: [UInt16: ArraySlice<UInt8>] = [:]

  init(_ bytes: ArraySlice<UInt8>) {
    var offset = bytes.startIndex
    while offset + 4 <= bytes.endIndex {
      let length = Int(bytes.readLittle(UInt16.self, at: offset))
      let type = bytes.readLittle(UInt16.self, at: offset + 2) & 0x3fff
      guard length >= 4, offset + length <= bytes.endIndex else { break }
      values[type] = bytes[(offset + 4)..<(offset + length)]
      offset += (length + 3) & ~3
    }
  }

  subscript(type: UInt16) -> ArraySlice<UInt8>? { values[type] }

  func u32(_ type: UInt16) -> UInt32? {
    guard let value = values[type], value.count >= 4 else { return nil }
    return value.readLittle(UInt32.self, at: value.startIndex)
  }

  func string(_ type: UInt16) -> String? {
    values[type].map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
  }

  func ipv4(_ type: UInt16) -> IPv4Address? { values[type].flatMap { IPv4Address(bytes: $0) } }
}

extension Array where Element == UInt8 {
  mutating func appendLittle<T: FixedWidthInteger>(_ value: T) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}

extension Collection where Element == UInt8, Index == Int {
  func readLittle<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
    var value: T = 0
    for index in 0..<MemoryLayout<T>.size { value |= T(self[offset + index]) << (8 * index) }
    return value
  }
}
