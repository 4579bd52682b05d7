/// Standard base64 with padding, which is how Go's encoding/json writes `[]byte` fields
/// (Secret.data values, CSR requests).
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let reverse: [UInt8] = {
    var table = [UInt8](repeating: 0xff, count: 256)
    for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
    return table
  }()

  static func encode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index + 3 <= bytes.count {
      let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
      out += [
        alphabet[Int(chunk >> 18)], alphabet[Int(chunk >> 12 & 63)], alphabet[Int(chunk >> 6 & 63)],
        alphabet[Int(chunk & 63)],
      ]
      index += 3
    }
    let rest = bytes.count - index
    if rest > 0 {
      let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
      out += [alphabet[Int(chunk >> 18)], alphabet[Int(chunk >> 12 & 63)]]
      out += rest == 2 ? [alphabet[Int(chunk >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func encode(_ bytes: [UInt8]) -> String {
    bytes.withUnsafeBufferPointer { encode($0) }
  }

  /// The bytes of `text`; padding may be missing, line breaks are skipped; nil on any other byte.
  static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count / 4 * 3 + 2)
    var chunk: UInt32 = 0
    var count = 0
    var padding = 0
    for byte in text.utf8 {
      if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { continue }
      if byte == UInt8(ascii: "=") {
        padding += 1
        continue
      }
      let value = reverse[Int(byte)]
      guard value != 0xff, padding == 0 else { return nil }
      chunk = chunk << 6 | UInt32(value)
      count += 1
      if count == 4 {
        out += [UInt8(chunk >> 16 & 0xff), UInt8(chunk >> 8 & 0xff), UInt8(chunk & 0xff)]
        chunk = 0
        count = 0
      }
    }
    switch count {
    case 0: guard padding == 0 else { return nil }
    case 2:
      guard padding == 0 || padding == 2 else { return nil }
      out.append(UInt8(chunk >> 4 & 0xff))
    case 3:
      guard padding <= 1 else { return nil }
      out += [UInt8(chunk >> 10 & 0xff), UInt8(chunk >> 2 & 0xff)]
    default: return nil
    }
    return out
  }
}
