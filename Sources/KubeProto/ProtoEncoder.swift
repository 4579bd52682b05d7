import KubeAPI

/// Writes JSON objects as protobuf messages, fields in ascending number order as Go writes them.
/// A field is written when the JSON has it (and it is not null); JSON members the message does
/// not describe are dropped, as Go's typed decoding would drop them.
struct ProtoEncoder {
  let table: ProtoTable

  func message(_ index: Int, _ value: JSONValue, into writer: inout ProtoWriter) throws {
    let descriptor = table.messages[index]
    if let special = descriptor.special {
      try self.special(special, value, into: &writer)
      return
    }
    if descriptor.isList {
      guard case .array(let items) = value, let field = descriptor.fields.first else {
        throw KubeProtoError.invalidValue(path: "", reason: "expected a list, got \(Self.describe(value))")
      }
      try repeated(field, items, into: &writer)
      return
    }
    guard case .object(let members) = value else {
      throw KubeProtoError.invalidValue(path: "", reason: "expected an object, got \(Self.describe(value))")
    }
    try fields(descriptor, members, into: &writer)
  }

  private func fields(_ descriptor: MessageDescriptor, _ members: [String: JSONValue], into writer: inout ProtoWriter)
    throws
  {
    if descriptor.hasInline {
      for field in descriptor.fields {
        if field.inline, case .message(let index) = field.type {
          try writer.writeMessage(field.number) { try fields(table.messages[index], members, into: &$0) }
        } else if let value = members[field.jsonName], !value.isNull {
          try write(field, value, into: &writer)
        }
      }
      return
    }
    // Objects usually set a few of their message's fields: look up only what is there.
    var present: [(position: Int, value: JSONValue)] = []
    present.reserveCapacity(members.count)
    for (name, value) in members where !value.isNull {
      if let position = descriptor.byName[name] { present.append((position, value)) }
    }
    present.sort { $0.position < $1.position }
    for (position, value) in present { try write(descriptor.fields[position], value, into: &writer) }
  }

  private func write(_ field: FieldDescriptor, _ value: JSONValue, into writer: inout ProtoWriter) throws {
    do {
      switch field.cardinality {
      case .single:
        try single(field, value, into: &writer)
      case .repeated:
        guard case .array(let items) = value else {
          throw KubeProtoError.invalidValue(path: "", reason: "expected a list, got \(Self.describe(value))")
        }
        try repeated(field, items, into: &writer)
      case .map(let keyKind):
        guard case .object(let entries) = value else {
          throw KubeProtoError.invalidValue(path: "", reason: "expected an object, got \(Self.describe(value))")
        }
        for key in entries.keys.sorted() {
          let entryValue = entries[key]!
          do {
            try writer.writeMessage(field.number) { entry in
              try scalar(keyKind, .string(key), number: 1, into: &entry)
              if entryValue.isNull { return }
              try single(field, entryValue, number: 2, into: &entry)
            }
          } catch let KubeProtoError.invalidValue(path, reason) {
            throw KubeProtoError.invalidValue(path: Self.join(Self.quoted(key), path), reason: reason)
          }
        }
      }
    } catch let KubeProtoError.invalidValue(path, reason) {
      throw KubeProtoError.invalidValue(path: Self.join(field.jsonName, path), reason: reason)
    }
  }

  private func single(_ field: FieldDescriptor, _ value: JSONValue, number: Int? = nil, into writer: inout ProtoWriter)
    throws
  {
    let number = number ?? field.number
    switch field.type {
    case .scalar(let kind): try scalar(kind, value, number: number, into: &writer)
    case .message(let index): try writer.writeMessage(number) { try message(index, value, into: &$0) }
    }
  }

  private func repeated(_ field: FieldDescriptor, _ items: [JSONValue], into writer: inout ProtoWriter) throws {
    for (position, item) in items.enumerated() {
      do {
        try single(field, item, into: &writer)
      } catch let KubeProtoError.invalidValue(path, reason) {
        throw KubeProtoError.invalidValue(path: "[\(position)]" + (path.isEmpty ? "" : "." + path), reason: reason)
      }
    }
  }

  func scalar(_ kind: ScalarKind, _ value: JSONValue, number: Int, into writer: inout ProtoWriter) throws {
    switch kind {
    case .string:
      guard case .string(let text) = value else { throw Self.mismatch("a string", value) }
      writer.writeString(number, text)
    case .bytes:
      guard case .string(let text) = value else { throw Self.mismatch("a base64 string", value) }
      guard let bytes = Base64.decode(text) else {
        throw KubeProtoError.invalidValue(path: "", reason: "not valid base64")
      }
      writer.writeBytes(number, bytes)
    case .bool:
      guard case .bool(let flag) = value else { throw Self.mismatch("a boolean", value) }
      writer.writeVarintField(number, flag ? 1 : 0)
    case .int32, .int64, .uint32, .uint64:
      guard let integer = value.intValue else { throw Self.mismatch("an integer", value) }
      let range: ClosedRange<Int64> =
        switch kind {
        case .int32: Int64(Int32.min)...Int64(Int32.max)
        case .uint32: 0...Int64(UInt32.max)
        case .uint64: 0...Int64.max
        default: Int64.min...Int64.max
        }
      guard range.contains(integer) else {
        throw KubeProtoError.invalidValue(path: "", reason: "\(integer) is out of range for \(kind)")
      }
      writer.writeVarintField(number, UInt64(bitPattern: integer))
    case .double, .float:
      let double: Double
      switch value {
      case .double(let number): double = number
      case .int(let number): double = Double(number)
      default: throw Self.mismatch("a number", value)
      }
      if kind == .double {
        writer.writeFixed64(number, double.bitPattern)
      } else {
        writer.writeFixed32(number, Float(double).bitPattern)
      }
    }
  }

  static func mismatch(_ expected: String, _ value: JSONValue) -> KubeProtoError {
    .invalidValue(path: "", reason: "expected \(expected), got \(describe(value))")
  }

  static func describe(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): "boolean \(flag)"
    case .int(let number): "number \(number)"
    case .double(let number): "number \(number)"
    case .string(let text): "string \"\(text.prefix(40))\""
    case .array: "a list"
    case .object: "an object"
    }
  }

  private static func join(_ head: String, _ tail: String) -> String {
    tail.isEmpty ? head : tail.hasPrefix("[") ? head + tail : head + "." + tail
  }

  private static func quoted(_ key: String) -> String {
    "[\"\(key)\"]"
  }
}
