/// Encodes the key/value records the C side of the runtime reads from an inherited fd
/// (`u32` little-endian key length, key, `u32` value length, value); see CRuntime/spec.h.
struct SpecEncoder {
  private(set) var bytes: [UInt8] = []

  mutating func add(_ key: String, _ value: String) { add(key, Array(value.utf8)) }

  mutating func add(_ key: String, _ value: [UInt8]) {
    append(Array(key.utf8))
    append(value)
  }

  /// A value made of several NUL-separated fields.
  mutating func add(_ key: String, fields: [String]) {
    add(key, Array(fields.joined(separator: "\0").utf8))
  }

  mutating func flag(_ key: String, _ on: Bool) { if on { add(key, "1") } }

  private mutating func append(_ part: [UInt8]) {
    let count = UInt32(part.count)
    bytes += [UInt8(count & 0xff), UInt8((count >> 8) & 0xff), UInt8((count >> 16) & 0xff), UInt8(count >> 24)]
    bytes += part
  }
}
