/// `metadata.generateName` expansion as upstream's SimpleNameGenerator: the prefix (cut to 58
/// bytes) plus five characters from an alphabet without vowels or look-alikes, so generated
/// names never spell words and stay within the 63-byte label limit.
public enum NameGenerator {
  public static let alphabet: [Character] = Array("bcdfghjklmnpqrstvwxz2456789")
  public static let randomLength = 5
  public static let maxPrefixLength = 63 - randomLength

  public static func generate(prefix: String) -> String {
    var generator = SystemRandomNumberGenerator()
    return generate(prefix: prefix, using: &generator)
  }

  public static func generate<G: RandomNumberGenerator>(prefix: String, using generator: inout G) -> String {
    var base = prefix
    if base.utf8.count > maxPrefixLength {
      base = String(decoding: base.utf8.prefix(maxPrefixLength), as: UTF8.self)
    }
    for _ in 0..<randomLength { base.append(alphabet.randomElement(using: &generator)!) }
    return base
  }
}
