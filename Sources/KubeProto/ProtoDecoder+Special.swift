import KubeAPI

/// The apimachinery types whose JSON is a string or an embedded document rather than an object.
extension ProtoDecoder {
  func special(_ kind: SpecialKind, _ descriptor: MessageDescriptor, _ reader: ProtoReader) throws -> JSONValue? {
    switch kind {
    case .schemaOrArray, .schemaOrBool, .schemaOrStringArray: return try schemaUnion(kind, descriptor, reader)
    default: break
    }
    var reader = reader
    var numbers: [Int64] = [0, 0, 0]
    var text: String?
    var raw: Range<Int>?
    let empty = reader.isAtEnd
    while !reader.isAtEnd {
      let (number, wireType) = try reader.readTag()
      switch (kind, number, wireType) {
      case (.time, 1...2, .varint), (.microTime, 1...2, .varint), (.duration, 1, .varint),
        (.intOrString, 1...2, .varint):
        numbers[number] = Int64(bitPattern: try reader.readVarint())
      case (.intOrString, 3, .lengthDelimited), (.quantity, 1, .lengthDelimited):
        text = reader.string(try reader.readLengthDelimited())
      case (.rawExtension, 1, .lengthDelimited), (.fieldsV1, 1, .lengthDelimited), (.json, 1, .lengthDelimited):
        raw = try reader.readLengthDelimited()
      default:
        try reader.skip(wireType)
      }
    }
    switch kind {
    case .time:
      // Go's Time decodes an empty payload to the zero time (JSON null) and keeps whole seconds.
      return empty ? nil : .string(GoTime.format(seconds: numbers[1]))
    case .microTime:
      guard !empty else { return nil }
      let nanos = Int64(Int32(truncatingIfNeeded: numbers[2]))
      return .string(GoTime.format(seconds: numbers[1], micros: max(0, min(nanos, 999_999_999)) / 1000))
    case .duration:
      return .string(GoDuration.format(numbers[1]))
    case .intOrString:
      if numbers[1] == 1 { return .string(text ?? "") }
      return .int(Int64(Int32(truncatingIfNeeded: numbers[2])))
    case .quantity:
      return .string(text.flatMap { $0.isEmpty ? nil : $0 } ?? "0")
    case .schemaOrArray, .schemaOrBool, .schemaOrStringArray:
      return nil
    case .rawExtension, .fieldsV1, .json:
      guard let raw, !raw.isEmpty else { return nil }
      let payload = UnsafeBufferPointer(rebasing: reader.bytes[raw])
      if payload.starts(with: KubeProtobuf.magic) {
        guard depth < Self.maximumDepth else {
          throw KubeProtoError.malformed("objects embedded more than \(Self.maximumDepth) levels deep")
        }
        return try KubeProtobuf.decodeEnvelope(payload, depth: depth + 1).object
      }
      return try RawJSON.parse(payload)
    }
  }

  /// JSONSchemaPropsOrArray / OrBool / OrStringArray, printed as Go's MarshalJSON prints them:
  /// the list when it has items, else the schema, else the bool (or null).
  private func schemaUnion(_ kind: SpecialKind, _ descriptor: MessageDescriptor, _ reader: ProtoReader) throws
    -> JSONValue?
  {
    var reader = reader
    var schema: JSONValue?
    var list: [JSONValue] = []
    var allows = false
    while !reader.isAtEnd {
      let (number, wireType) = try reader.readTag()
      guard let field = descriptor.field(number: number) else {
        try reader.skip(wireType)
        continue
      }
      switch (field.cardinality, field.type) {
      case (.single, .scalar(.bool)):
        allows = try scalar(.bool, wireType, &reader) == .bool(true)
      case (.single, .message(let index)):
        guard wireType == .lengthDelimited else { throw KubeProtoError.malformed("\(descriptor.name): wire type") }
        schema = try message(index, reader.sub(try reader.readLengthDelimited()))
      case (.repeated, .message(let index)):
        guard wireType == .lengthDelimited else { throw KubeProtoError.malformed("\(descriptor.name): wire type") }
        list.append(try message(index, reader.sub(try reader.readLengthDelimited())) ?? .null)
      case (.repeated, .scalar(let scalarKind)):
        list.append(try scalar(scalarKind, wireType, &reader))
      default:
        try reader.skip(wireType)
      }
    }
    if !list.isEmpty, kind != .schemaOrBool { return .array(list) }
    if let schema { return schema }
    return kind == .schemaOrBool ? .bool(allows) : nil
  }
}
