/// Minimal protobuf wire-format writer (varints and length-delimited fields), enough for the
/// OpenAPI v2 document clients fetch as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
struct ProtobufWriter {
  private(set) var bytes: [UInt8] = []

  mutating func varint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7f) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  mutating func tag(_ field: Int, wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

  /// Proto3 omits default values, so empty strings and false are not written.
  mutating func string(_ field: Int, _ value: String?) {
    guard let value, !value.isEmpty else { return }
    bytesField(field, Array(value.utf8))
  }

  mutating func strings(_ field: Int, _ values: [String]) {
    for value in values { bytesField(field, Array(value.utf8)) }
  }

  mutating func bool(_ field: Int, _ value: Bool) {
    guard value else { return }
    tag(field, wireType: 0)
    varint(1)
  }

  mutating func bytesField(_ field: Int, _ value: [UInt8]) {
    tag(field, wireType: 2)
    varint(UInt64(value.count))
    bytes.append(contentsOf: value)
  }

  /// A nested message built by `build`; written even when empty (presence matters for oneofs).
  mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
    var nested = ProtobufWriter()
    build(&nested)
    bytesField(field, nested.bytes)
  }
}
