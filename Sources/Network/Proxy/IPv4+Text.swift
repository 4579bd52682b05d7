/// Dotted-quad IPv4 parsing and CIDR membership: all the address arithmetic the proxy and the
/// policy generator need, without pulling a networking library in.
enum IPv4 {
  static func value(_ text: String) -> UInt32? {
    var result: UInt32 = 0
    var count = 0
    for part in text.split(separator: ".", omittingEmptySubsequences: false) {
      guard let octet = UInt32(part), octet <= 255, !part.isEmpty, part.count <= 3 else { return nil }
      result = result << 8 | octet
      count += 1
    }
    return count == 4 ? result : nil
  }

  static func isAddress(_ text: String) -> Bool { value(text) != nil }

  /// `10.42.0.0/16` → (network, prefix length); a bare address is a /32.
  static func cidr(_ text: String) -> (network: UInt32, prefix: Int)? {
    let parts = text.split(separator: "/")
    guard let address = parts.first.flatMap({ value(String($0)) }) else { return nil }
    let prefix = parts.count == 2 ? Int(parts[1]) : 32
    guard let prefix, (0...32).contains(prefix), parts.count <= 2 else { return nil }
    return (address & mask(prefix), prefix)
  }

  static func isCIDR(_ text: String) -> Bool { cidr(text) != nil }

  static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

  static func contains(_ cidr: String, _ address: String) -> Bool {
    guard let (network, prefix) = Self.cidr(cidr), let value = value(address) else { return false }
    return value & mask(prefix) == network
  }

  /// The CIDR in canonical form (host bits cleared), as nft wants intervals.
  static func canonical(_ text: String) -> String? {
    guard let (network, prefix) = cidr(text) else { return nil }
    let octets = [24, 16, 8, 0].map { String(network >> UInt32($0) & 0xff) }.joined(separator: ".")
    return prefix == 32 ? octets : "\(octets)/\(prefix)"
  }
}
