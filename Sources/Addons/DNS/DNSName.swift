/// A domain name kept in wire form (length-prefixed labels ending with the root's zero byte),
/// spelled as it was received so answers echo the question as asked, but compared and hashed
/// case-insensitively as RFC 4343 requires.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
  /// Wire bytes, uncompressed, including the final zero byte.
  public private(set) var wire: [UInt8]

  /// The root name ".".
  public static let root = DNSName(uncheckedWire: [0])

  init(uncheckedWire wire: [UInt8]) { self.wire = wire }

  /// Parses dotted text ("svc.ns.svc.cluster.local" with or without the final dot).
  public init(_ text: String) throws(AddonsError) {
    var wire: [UInt8] = []
    wire.reserveCapacity(text.utf8.count + 2)
    let trimmed = text.hasSuffix(".") ? Substring(text.dropLast()) : Substring(text)
    if !trimmed.isEmpty {
      for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
        let bytes = Array(label.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else {
          throw AddonsError(.invalidConfiguration, "invalid domain name \"\(text)\": labels must be 1-63 bytes")
        }
        wire.append(UInt8(bytes.count))
        wire += bytes
      }
    }
    wire.append(0)
    guard wire.count <= 255 else {
      throw AddonsError(.invalidConfiguration, "invalid domain name \"\(text)\": longer than 255 bytes")
    }
    self.wire = wire
  }

  /// Builds a name from labels (each 1–63 bytes); answers nil when a label or the name is too long.
  init?(labels: [Substring]) {
    var wire: [UInt8] = []
    for label in labels {
      let count = label.utf8.count
      guard count > 0, count <= 63 else { return nil }
      wire.append(UInt8(count))
      wire += label.utf8
    }
    wire.append(0)
    guard wire.count <= 255 else { return nil }
    self.wire = wire
  }

  /// Labels as text, lower-cased, most specific first (bytes that are not UTF-8 become U+FFFD,
  /// so such labels never match a Kubernetes name).
  public var labels: [Substring] {
    var result: [Substring] = []
    var index = 0
    while index < wire.count, wire[index] != 0 {
      let length = Int(wire[index])
      let bytes = wire[(index + 1)..<(index + 1 + length)].lazy.map(Self.lower)
      result.append(Substring(String(decoding: bytes, as: UTF8.self)))
      index += length + 1
    }
    return result
  }

  public var labelCount: Int {
    var count = 0
    var index = 0
    while index < wire.count, wire[index] != 0 {
      count += 1
      index += Int(wire[index]) + 1
    }
    return count
  }

  public var description: String {
    if wire.count <= 1 { return "." }
    var text = ""
    var index = 0
    while index < wire.count, wire[index] != 0 {
      let length = Int(wire[index])
      text += String(decoding: wire[(index + 1)..<(index + 1 + length)], as: UTF8.self)
      text += "."
      index += length + 1
    }
    return text
  }

  /// True when this name equals `zone` or lies beneath it.
  public func isSubdomain(of zone: DNSName) -> Bool {
    guard wire.count >= zone.wire.count else { return false }
    let offset = wire.count - zone.wire.count
    // The suffix must start on a label boundary.
    var index = 0
    while index < offset { index += Int(wire[index]) + 1 }
    guard index == offset else { return false }
    for position in 0..<zone.wire.count where Self.lower(wire[offset + position]) != Self.lower(zone.wire[position]) {
      return false
    }
    return true
  }

  /// The name with the most specific `count` labels removed.
  func dropping(labels count: Int) -> DNSName {
    var index = 0
    for _ in 0..<count where index < wire.count && wire[index] != 0 { index += Int(wire[index]) + 1 }
    return DNSName(uncheckedWire: Array(wire[index...]))
  }

  /// A name with `label` prepended.
  func prepending(_ label: Substring) -> DNSName? {
    let count = label.utf8.count
    guard count > 0, count <= 63, wire.count + count + 1 <= 255 else { return nil }
    var bytes: [UInt8] = [UInt8(count)]
    bytes.reserveCapacity(wire.count + count + 1)
    bytes += label.utf8
    bytes += wire
    return DNSName(uncheckedWire: bytes)
  }

  /// This name followed by `suffix` (this name's root byte dropped).
  func appending(_ suffix: DNSName) -> DNSName? {
    guard wire.count - 1 + suffix.wire.count <= 255 else { return nil }
    return DNSName(uncheckedWire: Array(wire.dropLast()) + suffix.wire)
  }

  /// Lower-case form, for cache keys.
  var lowercased: DNSName { DNSName(uncheckedWire: wire.map(Self.lower)) }

  @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
    byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
  }

  public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
    guard lhs.wire.count == rhs.wire.count else { return false }
    for index in 0..<lhs.wire.count where lower(lhs.wire[index]) != lower(rhs.wire[index]) { return false }
    return true
  }

  public func hash(into hasher: inout Hasher) {
    for byte in wire { hasher.combine(Self.lower(byte)) }
  }
}
