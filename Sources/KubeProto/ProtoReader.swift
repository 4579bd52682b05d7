/// A bounds-checked cursor over protobuf wire bytes. Corrupt input throws; it never traps.
struct ProtoReader {
  let bytes: UnsafeBufferPointer<UInt8>
  var position: Int
  let end: Int

  init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
    self.bytes = bytes
    self.position = start
    self.end = end ?? bytes.count
  }

  var isAtEnd: Bool { position >= end }

  enum WireType: UInt8 {
    case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
  }

  mutating func readVarint() throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while position < end {
      let byte = bytes[position]
      position += 1
      if shift == 63 && byte > 1 { throw KubeProtoError.malformed("varint overflows 64 bits at byte \(position)") }
      result |= UInt64(byte & 0x7f) << shift
      if byte < 0x80 { return result }
      shift += 7
    }
    throw KubeProtoError.malformed("varint cut short at byte \(position)")
  }

  /// The next field's number and wire type.
  mutating func readTag() throws -> (number: Int, wireType: WireType) {
    let tag = try readVarint()
    guard let wireType = WireType(rawValue: UInt8(tag & 7)), tag >> 3 > 0, tag >> 3 <= 0x1FFF_FFFF else {
      throw KubeProtoError.malformed("bad field tag \(tag) at byte \(position)")
    }
    return (Int(tag >> 3), wireType)
  }

  /// The range of a length-delimited payload; the cursor moves past it.
  mutating func readLengthDelimited() throws -> Range<Int> {
    let length = try readVarint()
    guard length <= UInt64(end - position) else {
      throw KubeProtoError.malformed("length \(length) at byte \(position) runs past the end of its message")
    }
    let start = position
    position += Int(length)
    return start..<position
  }

  mutating func readFixed64() throws -> UInt64 {
    guard end - position >= 8 else { throw KubeProtoError.malformed("fixed64 cut short at byte \(position)") }
    var value: UInt64 = 0
    for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << (8 * UInt64(offset)) }
    position += 8
    return value
  }

  mutating func readFixed32() throws -> UInt32 {
    guard end - position >= 4 else { throw KubeProtoError.malformed("fixed32 cut short at byte \(position)") }
    var value: UInt32 = 0
    for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << (8 * UInt32(offset)) }
    position += 4
    return value
  }

  mutating func skip(_ wireType: WireType) throws {
    switch wireType {
    case .varint: _ = try readVarint()
    case .fixed64: _ = try readFixed64()
    case .fixed32: _ = try readFixed32()
    case .lengthDelimited: _ = try readLengthDelimited()
    case .startGroup, .endGroup: throw KubeProtoError.malformed("groups are not used by Kubernetes messages")
    }
  }

  func string(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  func array(_ range: Range<Int>) -> [UInt8] {
    Array(bytes[range])
  }

  /// A reader limited to a sub-message's payload.
  func sub(_ range: Range<Int>) -> ProtoReader {
    ProtoReader(bytes, from: range.lowerBound, to: range.upperBound)
  }
}
