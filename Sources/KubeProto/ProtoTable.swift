/// The messages KubeProto can convert, parsed once from the generated table text
/// (`ProtoTable+*.swift`, one message a line) into arrays indexed for the hot paths.
struct ProtoTable: Sendable {
  let messages: [MessageDescriptor]
  /// Qualified message name ("core/v1.Pod") to its index.
  let index: [String: Int]
  /// apiVersion ("apps/v1", "v1") to the kinds served in it.
  let kinds: [String: [String: Int]]
  /// meta/v1 messages, accepted under any apiVersion (DeleteOptions, Status, WatchEvent…).
  let metaKinds: [String: Int]

  static let shared: ProtoTable = {
    do {
      return try ProtoTable(sources: sources)
    } catch {
      fatalError("KubeProto's generated table does not parse: \(error)")
    }
  }()

  /// The message for an envelope's TypeMeta.
  func message(apiVersion: String, kind: String) -> Int? {
    if let found = kinds[apiVersion]?[kind] { return found }
    return metaKinds[kind]
  }
}

/// The scalar types the upstream messages use.
enum ScalarKind: Sendable {
  case string, bytes, bool, int32, int64, uint32, uint64, double, float
}

/// Types whose JSON form is not an object of their fields.
enum SpecialKind: Sendable {
  case time, microTime, duration, intOrString, quantity, rawExtension, fieldsV1
  /// apiextensions JSON: raw JSON bytes, like FieldsV1.
  case json
  /// The CRD schema unions: a schema object, or an array (of schemas / strings), or a bool.
  case schemaOrArray, schemaOrBool, schemaOrStringArray
}

enum ValueType: Sendable {
  case scalar(ScalarKind)
  case message(Int)
}

enum Cardinality: Sendable {
  case single, repeated, map(key: ScalarKind)
}

/// A class so the hot loops pass one reference instead of copying strings and arrays.
final class FieldDescriptor: Sendable {
  let jsonName: String
  let number: Int
  let cardinality: Cardinality
  let type: ValueType
  /// Go keeps the field behind a pointer: a zero value on the wire still shows in JSON.
  let pointer: Bool
  /// Go's JSON tag has no omitempty: the zero value shows in JSON.
  let always: Bool
  /// Go inlines the struct's fields into the parent JSON object.
  let inline: Bool

  init(
    jsonName: String, number: Int, cardinality: Cardinality, type: ValueType, pointer: Bool, always: Bool,
    inline: Bool
  ) {
    self.jsonName = jsonName
    self.number = number
    self.cardinality = cardinality
    self.type = type
    self.pointer = pointer
    self.always = always
    self.inline = inline
  }
}

final class MessageDescriptor: Sendable {
  let name: String
  /// Fields in ascending field-number order (the order Go writes them).
  let fields: [FieldDescriptor]
  /// Field number to position in `fields`, -1 where none.
  let byNumber: [Int16]
  let special: SpecialKind?
  /// A Go named slice (`type ExtraValue []string`): JSON is the array of its `items`.
  let isList: Bool
  /// JSON name to position in `fields`.
  let byName: [String: Int]
  let hasInline: Bool

  init(name: String, fields: [FieldDescriptor], byNumber: [Int16], special: SpecialKind?, isList: Bool) {
    self.name = name
    self.fields = fields
    self.byNumber = byNumber
    self.special = special
    self.isList = isList
    var byName: [String: Int] = [:]
    for (position, field) in fields.enumerated() { byName[field.jsonName] = position }
    self.byName = byName
    self.hasInline = fields.contains { $0.inline }
  }

  func field(number: Int) -> FieldDescriptor? {
    guard number < byNumber.count else { return nil }
    let position = byNumber[number]
    return position < 0 ? nil : fields[Int(position)]
  }
}

extension ProtoTable {
  private static let specials: [String: SpecialKind] = [
    "meta/v1.Time": .time, "meta/v1.MicroTime": .microTime, "meta/v1.Duration": .duration,
    "intstr.IntOrString": .intOrString, "resource.Quantity": .quantity, "resource.QuantityValue": .quantity,
    "runtime.RawExtension": .rawExtension, "meta/v1.FieldsV1": .fieldsV1, "apiextensions/v1.JSON": .json,
    "apiextensions/v1.JSONSchemaPropsOrArray": .schemaOrArray, "apiextensions/v1.JSONSchemaPropsOrBool": .schemaOrBool,
    "apiextensions/v1.JSONSchemaPropsOrStringArray": .schemaOrStringArray,
  ]

  private struct PendingField {
    let jsonName: String
    let number: Int
    let cardinality: Cardinality
    let typeName: String
    let flags: Substring
  }

  init(sources: [String]) throws {
    var pending: [(name: String, isList: Bool, fields: [PendingField])] = []
    var kinds: [String: [String: Int]] = [:]
    var metaKinds: [String: Int] = [:]
    for source in sources {
      var package = ""
      var apiVersion: String?
      for rawLine in source.split(separator: "\n", omittingEmptySubsequences: true) {
        if rawLine.hasPrefix("@") {
          let parts = rawLine.dropFirst().split(separator: " ")
          package = String(parts[0])
          apiVersion = parts.count > 1 ? String(parts[1]) : nil
          continue
        }
        var tokens = rawLine.split(separator: " ")[...]
        if !rawLine.hasPrefix(" ") {
          let head = tokens.removeFirst()
          let isList = head.hasSuffix(":list")
          let name = package + "." + (isList ? head.dropLast(5) : head)
          let position = pending.count
          pending.append((name, isList, []))
          let kind = String(name.split(separator: ".").last!)
          if let apiVersion { kinds[apiVersion, default: [:]][kind] = position }
          if package == "meta/v1" { metaKinds[kind] = position }
        }
        guard !pending.isEmpty else { throw KubeProtoError.table("field line before any message: \(rawLine)") }
        for token in tokens {
          pending[pending.count - 1].fields.append(try Self.parseField(token, package: package))
        }
      }
    }
    var index: [String: Int] = [:]
    for (position, message) in pending.enumerated() { index[message.name] = position }
    var messages: [MessageDescriptor] = []
    messages.reserveCapacity(pending.count)
    for message in pending {
      var fields = try message.fields.map { field -> FieldDescriptor in
        FieldDescriptor(
          jsonName: field.jsonName, number: field.number, cardinality: field.cardinality,
          type: try Self.resolve(field.typeName, index: index, in: message.name),
          pointer: field.flags.contains("p"), always: field.flags.contains("a"), inline: field.flags.contains("i"))
      }
      fields.sort { $0.number < $1.number }
      var byNumber = [Int16](repeating: -1, count: (fields.last?.number ?? 0) + 1)
      for (position, field) in fields.enumerated() { byNumber[field.number] = Int16(position) }
      messages.append(
        MessageDescriptor(
          name: message.name, fields: fields, byNumber: byNumber, special: Self.specials[message.name],
          isList: message.isList))
    }
    self.messages = messages
    self.index = index
    self.kinds = kinds
    self.metaKinds = metaKinds
  }

  /// `json=number:type[/flags]`, where type is `[]T`, `map[K]V`, a scalar or a message name.
  private static func parseField(_ token: Substring, package: String) throws -> PendingField {
    guard let equals = token.firstIndex(of: "="), let colon = token[equals...].firstIndex(of: ":"),
      let number = Int(token[token.index(after: equals)..<colon]), number > 0, number < 10_000
    else { throw KubeProtoError.table("bad field \(token)") }
    var typeText = token[token.index(after: colon)...]
    var flags: Substring = ""
    if let slash = typeText.lastIndex(of: "/"), typeText[slash...].dropFirst().allSatisfy(\.isLetter) {
      flags = typeText[typeText.index(after: slash)...]
      typeText = typeText[..<slash]
    }
    var cardinality = Cardinality.single
    if typeText.hasPrefix("[]") {
      cardinality = .repeated
      typeText = typeText.dropFirst(2)
    } else if typeText.hasPrefix("map["), let close = typeText.firstIndex(of: "]") {
      guard let key = scalar(typeText[typeText.index(typeText.startIndex, offsetBy: 4)..<close]) else {
        throw KubeProtoError.table("bad map key in \(token)")
      }
      cardinality = .map(key: key)
      typeText = typeText[typeText.index(after: close)...]
    }
    let typeName = scalar(typeText) != nil || typeText.contains(".") ? String(typeText) : package + "." + typeText
    return PendingField(
      jsonName: String(token[..<equals]), number: number, cardinality: cardinality, typeName: typeName, flags: flags)
  }

  private static func scalar(_ text: Substring) -> ScalarKind? {
    switch text {
    case "str": .string
    case "bytes": .bytes
    case "bool": .bool
    case "i32": .int32
    case "i64": .int64
    case "u32": .uint32
    case "u64": .uint64
    case "f64": .double
    case "f32": .float
    default: nil
    }
  }

  private static func resolve(_ name: String, index: [String: Int], in message: String) throws -> ValueType {
    if let scalar = scalar(name[...]) { return .scalar(scalar) }
    guard let position = index[name] else { throw KubeProtoError.table("\(message) refers to unknown \(name)") }
    return .message(position)
  }
}
