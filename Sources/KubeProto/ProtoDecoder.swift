import KubeAPI

/// Turns protobuf messages into the JSON Go's encoding/json would print for the same Go struct:
/// a field present on the wire shows unless it is a zero value Go's `omitempty` drops; absent
/// fields, empty lists and maps, and zero timestamps (Go prints `null`) are left out.
struct ProtoDecoder {
  let table: ProtoTable
  /// How many envelopes enclose the message being decoded; bounded so hostile input that nests
  /// objects in RawExtensions cannot exhaust the stack.
  var depth = 0
  static let maximumDepth = 8
  /// Messages open around the one being decoded. CRD schemas (JSONSchemaProps) nest without a
  /// bound in the types, so a hostile body could otherwise exhaust the stack.
  var nesting = 0
  static let maximumNesting = 100

  /// The JSON form of message `index`, or nil where Go prints `null` (a zero timestamp,
  /// an empty RawExtension).
  func message(_ index: Int, _ reader: ProtoReader) throws -> JSONValue? {
    guard nesting < Self.maximumNesting else {
      throw KubeProtoError.malformed("messages nested more than \(Self.maximumNesting) levels deep")
    }
    var inner = self
    inner.nesting += 1
    return try inner.messageBody(index, reader)
  }

  private func messageBody(_ index: Int, _ reader: ProtoReader) throws -> JSONValue? {
    let descriptor = table.messages[index]
    if let special = descriptor.special { return try self.special(special, descriptor, reader) }
    if descriptor.isList {
      var items: [JSONValue] = []
      var reader = reader
      while !reader.isAtEnd {
        let (number, wireType) = try reader.readTag()
        guard let field = descriptor.field(number: number) else {
          try reader.skip(wireType)
          continue
        }
        try appendRepeated(field, wireType, &reader, to: &items)
      }
      return .array(items)
    }
    var object: [String: JSONValue] = [:]
    object.reserveCapacity(descriptor.fields.count)
    try fields(descriptor, reader, into: &object)
    return .object(object)
  }

  /// Decodes the fields of one message into `object` (shared with inlined sub-messages).
  private func fields(_ descriptor: MessageDescriptor, _ reader: ProtoReader, into object: inout [String: JSONValue])
    throws
  {
    var reader = reader
    // Go writes a repeated field's elements (and a map's entries) one after another, so they are
    // gathered as a run and stored when another field starts.
    var run: FieldDescriptor?
    var runItems: [JSONValue] = []
    var runEntries: [String: JSONValue] = [:]
    while !reader.isAtEnd {
      let (number, wireType) = try reader.readTag()
      guard let field = descriptor.field(number: number) else {
        try reader.skip(wireType)
        continue
      }
      if let current = run, current !== field {
        Self.store(current, &runItems, &runEntries, into: &object)
        run = nil
      }
      switch field.cardinality {
      case .repeated:
        run = field
        try appendRepeated(field, wireType, &reader, to: &runItems)
      case .map(let keyKind):
        run = field
        let (key, value) = try mapEntry(field, keyKind, wireType, &reader)
        runEntries[key] = value
      case .single:
        switch field.type {
        case .scalar(let kind):
          let value = try scalar(kind, wireType, &reader)
          if field.pointer || field.always || !Self.isZero(value) {
            object[field.jsonName] = value
          } else {
            object[field.jsonName] = nil
          }
        case .message(let index):
          guard wireType == .lengthDelimited else { throw wrongWireType(field, descriptor) }
          let sub = reader.sub(try reader.readLengthDelimited())
          if field.inline {
            try fields(table.messages[index], sub, into: &object)
          } else {
            object[field.jsonName] = try message(index, sub)
          }
        }
      }
    }
    if let current = run { Self.store(current, &runItems, &runEntries, into: &object) }
  }

  /// Stores a finished run of list items or map entries, joining an earlier run of the same field.
  private static func store(
    _ field: FieldDescriptor, _ items: inout [JSONValue], _ entries: inout [String: JSONValue],
    into object: inout [String: JSONValue]
  ) {
    if case .map = field.cardinality {
      if case .object(let earlier) = object[field.jsonName] { entries.merge(earlier) { newer, _ in newer } }
      if !entries.isEmpty { object[field.jsonName] = .object(entries) }
      entries = [:]
    } else {
      if case .array(let earlier) = object[field.jsonName] { items = earlier + items }
      if !items.isEmpty { object[field.jsonName] = .array(items) }
      items = []
    }
  }

  private func appendRepeated(
    _ field: FieldDescriptor, _ wireType: ProtoReader.WireType, _ reader: inout ProtoReader,
    to items: inout [JSONValue]
  ) throws {
    switch field.type {
    case .message(let index):
      guard wireType == .lengthDelimited else { throw KubeProtoError.malformed("\(field.jsonName): wrong wire type") }
      items.append(try message(index, reader.sub(try reader.readLengthDelimited())) ?? .null)
    case .scalar(let kind):
      if wireType == .lengthDelimited, kind != .string, kind != .bytes {
        // A packed run of numbers.
        var packed = reader.sub(try reader.readLengthDelimited())
        let elementType: ProtoReader.WireType =
          kind == .double ? .fixed64 : kind == .float ? .fixed32 : .varint
        while !packed.isAtEnd { items.append(try scalar(kind, elementType, &packed)) }
      } else {
        items.append(try scalar(kind, wireType, &reader))
      }
    }
  }

  private func mapEntry(
    _ field: FieldDescriptor, _ keyKind: ScalarKind, _ wireType: ProtoReader.WireType, _ reader: inout ProtoReader
  ) throws -> (String, JSONValue) {
    guard wireType == .lengthDelimited else { throw KubeProtoError.malformed("\(field.jsonName): wrong wire type") }
    var entry = reader.sub(try reader.readLengthDelimited())
    var key = ""
    var value: JSONValue?
    while !entry.isAtEnd {
      let (number, entryWireType) = try entry.readTag()
      switch number {
      case 1:
        switch try scalar(keyKind, entryWireType, &entry) {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        case let other: key = "\(other)"
        }
      case 2:
        switch field.type {
        case .scalar(let kind): value = try scalar(kind, entryWireType, &entry)
        case .message(let index):
          guard entryWireType == .lengthDelimited else {
            throw KubeProtoError.malformed("\(field.jsonName)[\(key)]: wrong wire type")
          }
          value = try message(index, entry.sub(try entry.readLengthDelimited())) ?? .null
        }
      default: try entry.skip(entryWireType)
      }
    }
    if let value { return (key, value) }
    switch field.type {
    case .scalar(let kind): return (key, Self.zero(kind))
    case .message(let index): return (key, try message(index, entry.sub(0..<0)) ?? .null)
    }
  }

  func scalar(_ kind: ScalarKind, _ wireType: ProtoReader.WireType, _ reader: inout ProtoReader) throws -> JSONValue {
    switch (kind, wireType) {
    case (.string, .lengthDelimited): return .string(reader.string(try reader.readLengthDelimited()))
    case (.bytes, .lengthDelimited):
      let range = try reader.readLengthDelimited()
      return .string(Base64.encode(UnsafeBufferPointer(rebasing: reader.bytes[range])))
    case (.bool, .varint): return .bool(try reader.readVarint() != 0)
    case (.int32, .varint): return .int(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
    case (.int64, .varint): return .int(Int64(bitPattern: try reader.readVarint()))
    case (.uint32, .varint): return .int(Int64(UInt32(truncatingIfNeeded: try reader.readVarint())))
    case (.uint64, .varint):
      let value = try reader.readVarint()
      return value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
    case (.double, .fixed64): return Self.number(Double(bitPattern: try reader.readFixed64()))
    case (.float, .fixed32): return Self.number(Double(Float(bitPattern: try reader.readFixed32())))
    default:
      throw KubeProtoError.malformed("a \(kind) field arrived with wire type \(wireType) at byte \(reader.position)")
    }
  }

  private func wrongWireType(_ field: FieldDescriptor, _ descriptor: MessageDescriptor) -> KubeProtoError {
    .malformed("\(descriptor.name).\(field.jsonName) is a message but arrived with another wire type")
  }

  /// Go prints a float64 with an integral value as an integer ("minimum": 1), which a JSON
  /// reader then sees as an integer; keep that view.
  static func number(_ value: Double) -> JSONValue {
    value == value.rounded() && abs(value) < 9.2e18 ? .int(Int64(value)) : .double(value)
  }

  static func isZero(_ value: JSONValue) -> Bool {
    switch value {
    case .string(let text): text.isEmpty
    case .int(let number): number == 0
    case .double(let number): number == 0
    case .bool(let flag): !flag
    default: false
    }
  }

  static func zero(_ kind: ScalarKind) -> JSONValue {
    switch kind {
    case .string, .bytes: .string("")
    case .bool: .bool(false)
    case .double, .float: .double(0)
    default: .int(0)
    }
  }
}
