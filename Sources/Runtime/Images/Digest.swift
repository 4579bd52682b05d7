import Crypto

/// A content digest as OCI writes it, `sha256:<64 hex>`; only sha256 is accepted.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
  public let hex: String

  public init(parsing text: String) throws {
    guard text.hasPrefix("sha256:") else {
      throw RuntimeError(.invalidImage, "unsupported digest \(text): only sha256 digests are supported")
    }
    let hex = String(text.dropFirst(7))
    guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
      throw RuntimeError(.invalidImage, "malformed digest \(text)")
    }
    self.hex = hex
  }

  init(hex: String) { self.hex = hex }

  public static func of(_ bytes: some Sequence<UInt8>) -> Digest {
    var hasher = SHA256()
    hasher.update(data: Array(bytes))
    return Digest(finalizing: hasher)
  }

  init(finalizing hasher: SHA256) {
    hex = hasher.finalize().map { byte in
      let digits = Array("0123456789abcdef")
      return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }.joined()
  }

  public var description: String { "sha256:" + hex }
  public var short: String { String(hex.prefix(12)) }

  public init(from decoder: Decoder) throws {
    try self.init(parsing: decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }

  public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }
}
