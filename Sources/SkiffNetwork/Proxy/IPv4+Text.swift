import SkiffCore

/// Address arithmetic on the strings the API carries, for the proxy and policy generators:
/// thin wrappers over ``IPv4Address`` and ``IPv4CIDR``, where a bare address is a /32.
enum IPv4 {
  static func value(_ text: String) -> UInt32? { IPv4Address(text)?.value }

  static func isAddress(_ text: String) -> Bool { value(text) != nil }

  /// `10.42.0.0/16` → (network, prefix length); a bare address is a /32.
  static func cidr(_ text: String) -> (network: UInt32, prefix: Int)? {
    let range = text.contains("/") ? IPv4CIDR(text) : IPv4Address(text).map { IPv4CIDR(network: $0, prefix: 32) }
    return range.map { ($0.network.value, $0.prefix) }
  }

  static func isCIDR(_ text: String) -> Bool { cidr(text) != nil }

  static func mask(_ prefix: Int) -> UInt32 { IPv4CIDR.mask(prefix) }

  static func contains(_ cidr: String, _ address: String) -> Bool {
    guard let (network, prefix) = Self.cidr(cidr), let value = value(address) else { return false }
    return value & mask(prefix) == network
  }

  /// The CIDR in canonical form (host bits cleared), as nft wants intervals.
  static func canonical(_ text: String) -> String? {
    guard let (network, prefix) = cidr(text) else { return nil }
    let address = IPv4Address(network)
    return prefix == 32 ? address.description : "\(address)/\(prefix)"
  }
}
