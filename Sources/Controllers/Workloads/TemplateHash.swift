import KubeAPI

/// The `pod-template-hash` of a template: FNV-1a over its canonical JSON (keys sorted) and the
/// collision count, written with the same consonant-and-digit alphabet upstream uses so the
/// value never spells a word and is a valid label.
enum TemplateHash {
  static let label = "pod-template-hash"

  static func compute(_ template: JSONValue, collisionCount: Int64?) -> String {
    var hash: UInt32 = 2_166_136_261
    func mix(_ bytes: some Sequence<UInt8>) {
      for byte in bytes {
        hash ^= UInt32(byte)
        hash = hash &* 16_777_619
      }
    }
    mix((try? template.serialized()) ?? [])
    if let collisionCount {
      mix(withUnsafeBytes(of: UInt32(truncatingIfNeeded: collisionCount).littleEndian, Array.init))
    }
    return safeEncode(String(hash))
  }

  /// upstream's rand.SafeEncodeString: each character mapped into "bcdfghjklmnpqrstvwxz2456789".
  static func safeEncode(_ text: String) -> String {
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    return String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
  }

  /// Two templates are the same rollout if they differ only in the hash label.
  static func equalIgnoringHash(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    stripped(a) == stripped(b)
  }

  private static func stripped(_ template: JSONValue?) -> JSONValue? {
    guard var template else { return nil }
    template["metadata"]?["labels"]?[label] = nil
    if template["metadata"]?["labels"]?.objectValue?.isEmpty == true { template["metadata"]?["labels"] = nil }
    if template["metadata"]?.objectValue?.isEmpty == true { template["metadata"] = nil }
    return template
  }
}
