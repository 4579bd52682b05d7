/// An IPv4 address as a host-order integer, so ranges are plain arithmetic.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var value: UInt32

  public init(_ value: UInt32) {
    self.value = value
  }

  /// Parses a dotted quad such as `10.42.0.1`.
  public init?(_ text: some StringProtocol) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var value: UInt32 = 0
    for part in parts {
      guard !part.isEmpty, part.count <= 3, let octet = UInt8(part) else { return nil }
      value = value << 8 | UInt32(octet)
    }
    self.value = value
  }

  /// Network byte order, as netlink attributes carry it.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == 4 else { return nil }
    value = bytes.reduce(0) { $0 << 8 | UInt32($1) }
  }

  public var bytes: [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
  }

  public var description: String { bytes.map(String.init).joined(separator: ".") }

  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

  public static func + (lhs: IPv4Address, rhs: UInt32) -> IPv4Address { IPv4Address(lhs.value &+ rhs) }
}

/// An IPv4 range such as a node's pod CIDR `10.42.0.0/24`; the address is kept masked.
public struct IPv4CIDR: Hashable, Sendable, CustomStringConvertible {
  public var network: IPv4Address
  public var prefix: Int

  public init(network: IPv4Address, prefix: Int) {
    self.prefix = prefix
    self.network = IPv4Address(network.value & Self.mask(prefix))
  }

  public init?(_ text: some StringProtocol) {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let address = IPv4Address(parts[0]), let prefix = Int(parts[1]), (0...32).contains(prefix)
    else { return nil }
    self.init(network: address, prefix: prefix)
  }

  public static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

  public var mask: UInt32 { Self.mask(prefix) }
  public var broadcast: IPv4Address { IPv4Address(network.value | ~mask) }
  /// The bridge's address: the first one after the network address, as flannel and K3s use it.
  public var gateway: IPv4Address { network + 1 }
  public var description: String { "\(network)/\(prefix)" }

  public func contains(_ address: IPv4Address) -> Bool { address.value & mask == network.value }

  public func contains(_ other: IPv4CIDR) -> Bool { other.prefix >= prefix && contains(other.network) }
}
