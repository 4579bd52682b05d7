/// Appends protobuf wire data. Nested messages are written in place: a one-byte length is
/// reserved and widened afterwards only when the payload reaches 128 bytes.
struct ProtoWriter {
  var bytes: [UInt8] = []

  init(capacity: Int = 256) {
    bytes.reserveCapacity(capacity)
  }

  mutating func writeVarint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  mutating func writeTag(_ number: Int, _ wireType: ProtoReader.WireType) {
    writeVarint(UInt64(number) << 3 | UInt64(wireType.rawValue))
  }

  mutating func writeBytes(_ number: Int, _ value: some Collection<UInt8>) {
    writeTag(number, .lengthDelimited)
    writeVarint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  mutating func writeString(_ number: Int, _ value: String) {
    var value = value
    value.withUTF8 { writeBytes(number, $0) }
  }

  mutating func writeVarintField(_ number: Int, _ value: UInt64) {
    writeTag(number, .varint)
    writeVarint(value)
  }

  mutating func writeFixed64(_ number: Int, _ value: UInt64) {
    writeTag(number, .fixed64)
    for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
  }

  mutating func writeFixed32(_ number: Int, _ value: UInt32) {
    writeTag(number, .fixed32)
    for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
  }

  /// Writes field `number` as a nested message whose payload `body` appends.
  mutating func writeMessage(_ number: Int, _ body: (inout ProtoWriter) throws -> Void) rethrows {
    writeTag(number, .lengthDelimited)
    let mark = bytes.count
    bytes.append(0)
    try body(&self)
    let length = bytes.count - mark - 1
    if length < 0x80 {
      bytes[mark] = UInt8(length)
      return
    }
    var width = 1
    while UInt64(length) >> (7 * UInt64(width)) != 0 { width += 1 }
    bytes.insert(contentsOf: repeatElement(0, count: width - 1), at: mark + 1)
    var value = length
    for offset in 0..<width {
      bytes[mark + offset] = UInt8(value & 0x7f) | (offset < width - 1 ? 0x80 : 0)
      value >>= 7
    }
  }
}
