import KubeAPI

/// Writes the apimachinery types whose JSON form is a string, number or embedded document.
extension ProtoEncoder {
  func special(_ kind: SpecialKind, _ value: JSONValue, into writer: inout ProtoWriter) throws {
    switch kind {
    case .time, .microTime:
      guard case .string(let text) = value else { throw Self.mismatch("an RFC 3339 time string", value) }
      guard let (seconds, nanos) = GoTime.parse(text) else {
        throw KubeProtoError.invalidValue(path: "", reason: "\"\(text)\" is not an RFC 3339 time")
      }
      writer.writeVarintField(1, UInt64(bitPattern: seconds))
      let kept = kind == .microTime ? nanos / 1000 * 1000 : nanos
      if kept != 0 { writer.writeVarintField(2, UInt64(bitPattern: Int64(kept))) }
    case .duration:
      guard case .string(let text) = value else { throw Self.mismatch("a duration string like \"1m30s\"", value) }
      guard let nanoseconds = GoDuration.parse(text) else {
        throw KubeProtoError.invalidValue(path: "", reason: "\"\(text)\" is not a duration like \"1m30s\"")
      }
      writer.writeVarintField(1, UInt64(bitPattern: nanoseconds))
    case .intOrString:
      switch value {
      case .string(let text):
        writer.writeVarintField(1, 1)
        writer.writeString(3, text)
      case .int, .double:
        guard let integer = value.intValue, let int32 = Int32(exactly: integer) else {
          throw Self.mismatch("a 32-bit integer or a string", value)
        }
        writer.writeVarintField(1, 0)
        writer.writeVarintField(2, UInt64(bitPattern: Int64(int32)))
      default:
        throw Self.mismatch("an integer or a string", value)
      }
    case .quantity:
      switch value {
      case .string(let text): writer.writeString(1, text)
      case .int(let number): writer.writeString(1, String(number))
      case .double(let number): writer.writeString(1, Self.quantityText(number))
      default: throw Self.mismatch("a quantity such as \"100m\" or \"1Gi\"", value)
      }
    case .rawExtension, .fieldsV1, .json:
      writer.writeBytes(1, RawJSON.serialize(value))
    case .schemaOrArray, .schemaOrBool, .schemaOrStringArray:
      try schemaUnion(kind, value, into: &writer)
    }
  }

  /// The CRD schema unions: an object is the schema; an array is the list (field 2); a bool is
  /// `allows`, which Go also sets when a schema is given.
  private func schemaUnion(_ kind: SpecialKind, _ value: JSONValue, into writer: inout ProtoWriter) throws {
    guard let schemaIndex = table.index["apiextensions/v1.JSONSchemaProps"] else {
      throw KubeProtoError.table("no apiextensions/v1.JSONSchemaProps")
    }
    let schemaNumber = kind == .schemaOrBool ? 2 : 1
    switch (kind, value) {
    case (_, .object):
      if kind == .schemaOrBool { writer.writeVarintField(1, 1) }
      try writer.writeMessage(schemaNumber) { try message(schemaIndex, value, into: &$0) }
    case (.schemaOrBool, .bool(let allows)):
      writer.writeVarintField(1, allows ? 1 : 0)
    case (.schemaOrArray, .array(let schemas)):
      for schema in schemas { try writer.writeMessage(2) { try message(schemaIndex, schema, into: &$0) } }
    case (.schemaOrStringArray, .array(let strings)):
      for item in strings { try scalar(.string, item, number: 2, into: &writer) }
    default:
      throw Self.mismatch(kind == .schemaOrBool ? "a schema object or a boolean" : "a schema object or a list", value)
    }
  }

  /// A JSON number written where a quantity goes ("cpu": 0.5) in the plain decimal form
  /// Kubernetes' quantity parser accepts.
  private static func quantityText(_ number: Double) -> String {
    if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
    return "\(number)"
  }
}
