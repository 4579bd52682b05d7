/// An IPv4 or IPv6 address as the cluster records and the wire need it: parsed from
/// Kubernetes' text form, written as A/AAAA data and as reverse (PTR) names.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
  case v4(UInt32)
  /// 16 bytes, network order.
  case v6([UInt8])

  public var isIPv4: Bool {
    if case .v4 = self { return true }
    return false
  }

  public init?(_ text: some StringProtocol) {
    if text.contains(":") {
      guard let bytes = Self.parseIPv6(Substring(text)) else { return nil }
      self = .v6(bytes)
    } else {
      let parts = text.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 4 else { return nil }
      var value: UInt32 = 0
      for part in parts {
        guard part.count <= 3, let byte = UInt8(part) else { return nil }
        value = value << 8 | UInt32(byte)
      }
      self = .v4(value)
    }
  }

  /// Wire bytes: 4 or 16.
  public var bytes: [UInt8] {
    switch self {
    case .v4(let value): [UInt8(value >> 24), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)]
    case .v6(let bytes): bytes
    }
  }

  init?(bytes: some Collection<UInt8>) {
    if bytes.count == 4 {
      self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
    } else if bytes.count == 16 {
      self = .v6(Array(bytes))
    } else {
      return nil
    }
  }

  /// Canonical text: dotted quad, or RFC 5952 IPv6 (longest zero run compressed).
  public var description: String {
    switch self {
    case .v4(let value): return "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
    case .v6(let bytes):
      let groups = (0..<8).map { UInt16(bytes[$0 * 2]) << 8 | UInt16(bytes[$0 * 2 + 1]) }
      var bestStart = -1
      var bestLength = 1
      var index = 0
      while index < 8 {
        if groups[index] == 0 {
          var end = index
          while end < 8, groups[end] == 0 { end += 1 }
          if end - index > bestLength {
            bestStart = index
            bestLength = end - index
          }
          index = end
        } else {
          index += 1
        }
      }
      func hex(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
      if bestStart < 0 { return hex(0..<8) }
      return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
  }

  /// The name a PTR query for this address asks about (in-addr.arpa or ip6.arpa).
  public var reverseName: DNSName {
    var labels: [Substring] = []
    switch self {
    case .v4(let value):
      labels = [value & 255, value >> 8 & 255, value >> 16 & 255, value >> 24].map { Substring(String($0)) }
      labels += ["in-addr", "arpa"]
    case .v6(let bytes):
      for byte in bytes.reversed() {
        labels.append(Substring(String(byte & 15, radix: 16)))
        labels.append(Substring(String(byte >> 4, radix: 16)))
      }
      labels += ["ip6", "arpa"]
    }
    return DNSName(labels: labels)!
  }

  /// The address a reverse name stands for, when it is a complete in-addr.arpa/ip6.arpa name.
  init?(reverseLabels labels: [Substring]) {
    if labels.count == 6, labels[4] == "in-addr", labels[5] == "arpa" {
      var value: UInt32 = 0
      for label in labels[0..<4].reversed() {
        guard label.count <= 3, let byte = UInt8(label) else { return nil }
        value = value << 8 | UInt32(byte)
      }
      self = .v4(value)
    } else if labels.count == 34, labels[32] == "ip6", labels[33] == "arpa" {
      var nibbles: [UInt8] = []
      for label in labels[0..<32].reversed() {
        guard label.count == 1, let nibble = UInt8(label, radix: 16) else { return nil }
        nibbles.append(nibble)
      }
      self = .v6((0..<16).map { nibbles[$0 * 2] << 4 | nibbles[$0 * 2 + 1] })
    } else {
      return nil
    }
  }

  private static func parseIPv6(_ text: Substring) -> [UInt8]? {
    let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
    guard halves.count <= 2 else { return nil }
    func groups(_ part: String) -> [UInt16]? {
      if part.isEmpty { return [] }
      var result: [UInt16] = []
      let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
      for (index, piece) in pieces.enumerated() {
        if index == pieces.count - 1, piece.contains("."), case .v4(let value)? = IPAddress(piece) {
          result += [UInt16(value >> 16), UInt16(value & 0xFFFF)]
        } else {
          guard piece.count >= 1, piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
          result.append(group)
        }
      }
      return result
    }
    guard let head = groups(halves[0]) else { return nil }
    var all = head
    if halves.count == 2 {
      guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
      all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
    }
    guard all.count == 8 else { return nil }
    return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 255)] }
  }
}
