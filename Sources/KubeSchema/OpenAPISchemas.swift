import KubeAPI

/// Turns registry types into OpenAPI schema objects. v2 and v3 differ only in where references point,
/// in how a described reference is wrapped (v3 uses `allOf`) and in `nullable` (v3 only).
struct OpenAPISchemas {
  enum Flavor { case v2, v3 }

  let registry: SchemaRegistry
  let flavor: Flavor

  static let quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity"
  static let intOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
  static let time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
  static let microTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"

  /// Definitions for the scalar wrappers, which the registry models as field types rather than objects.
  static let scalarDefinitions: [String: JSONValue] = [
    quantity: obj([
      "type": .string("string"), "description": .string("A fixed-point number with a unit suffix, e.g. 100m or 1Gi."),
    ]),
    intOrString: obj([
      "type": .string("string"), "format": .string("int-or-string"),
      "description": .string("Either an integer or a string, e.g. a port number or a port name."),
    ]),
    time: obj([
      "type": .string("string"), "format": .string("date-time"),
      "description": .string("An RFC 3339 timestamp in seconds."),
    ]),
    microTime: obj([
      "type": .string("string"), "format": .string("date-time"),
      "description": .string("An RFC 3339 timestamp with microseconds."),
    ]),
  ]

  func reference(_ name: String) -> String {
    flavor == .v2 ? "#/definitions/\(name)" : "#/components/schemas/\(name)"
  }

  /// Definition names a type refers to, directly (scalar wrappers included).
  static func references(of type: FieldType) -> [String] {
    switch type {
    case .ref(let name): [name]
    case .quantity: [quantity]
    case .intOrString: [intOrString]
    case .time: [time]
    case .microTime: [microTime]
    case .array(let items, _): references(of: items)
    case .map(let values, _): references(of: values)
    case .object(let description): description.fields.flatMap { references(of: $0.type) }
    default: []
    }
  }

  /// The schema of a named definition.
  func definition(_ type: TypeDescription) -> JSONValue {
    var schema = objectSchema(type, custom: type.kinds.contains(where: registry.isCustom))
    if !type.kinds.isEmpty {
      schema["x-kubernetes-group-version-kind"] = .array(
        type.kinds.sorted().map {
          obj(["group": .string($0.group), "kind": .string($0.kind), "version": .string($0.version)])
        })
    }
    return schema
  }

  /// `custom` marks CRD schemas, whose int-or-string fields stay inline as the CRD wrote them.
  func objectSchema(_ type: TypeDescription, custom: Bool) -> JSONValue {
    var members: [String: JSONValue] = ["type": .string("object")]
    if !type.description.isEmpty { members["description"] = .string(type.description) }
    if !type.fields.isEmpty {
      members["properties"] = .object(
        Dictionary(uniqueKeysWithValues: type.fields.map { ($0.name, property($0, custom: custom)) }))
    }
    let required = type.requiredFields
    if !required.isEmpty { members["required"] = .array(required.map(JSONValue.string)) }
    if let additional = type.additionalProperties {
      members["additionalProperties"] = schema(for: additional, custom: custom)
    }
    if type.atomic { members["x-kubernetes-map-type"] = .string("atomic") }
    if type.preserveUnknownFields { members["x-kubernetes-preserve-unknown-fields"] = .bool(true) }
    if type.embeddedResource { members["x-kubernetes-embedded-resource"] = .bool(true) }
    return .object(members)
  }

  /// The schema of one property, with the field-level extensions next to the type.
  func property(_ field: Field, custom: Bool) -> JSONValue {
    var schema = schema(for: field.type, custom: custom)
    let isReference = schema["$ref"] != nil
    if isReference && flavor == .v3 && (!field.description.isEmpty || field.defaultValue != nil) {
      schema = obj(["allOf": .array([schema])])
    }
    if !field.description.isEmpty { schema["description"] = .string(field.description) }
    if let value = field.defaultValue { schema["default"] = value }
    if !field.enumValues.isEmpty { schema["enum"] = .array(field.enumValues) }
    if let strategy = field.patchStrategy.openAPIValue { schema["x-kubernetes-patch-strategy"] = .string(strategy) }
    if let key = field.patchMergeKey { schema["x-kubernetes-patch-merge-key"] = .string(key) }
    if field.nullable && flavor == .v3 { schema["nullable"] = .bool(true) }
    return schema
  }

  func schema(for type: FieldType, custom: Bool) -> JSONValue {
    switch type {
    case .string(let format): return scalar("string", format)
    case .integer(let format): return scalar("integer", format)
    case .number(let format): return scalar("number", format)
    case .boolean: return scalar("boolean", nil)
    case .ref(let name): return obj(["$ref": .string(reference(name))])
    case .quantity: return obj(["$ref": .string(reference(Self.quantity))])
    case .intOrString where custom:
      if flavor == .v2 { return obj(["x-kubernetes-int-or-string": .bool(true)]) }
      return obj([
        "x-kubernetes-int-or-string": .bool(true),
        "anyOf": .array([obj(["type": .string("integer")]), obj(["type": .string("string")])]),
      ])
    case .intOrString: return obj(["$ref": .string(reference(Self.intOrString))])
    case .time: return obj(["$ref": .string(reference(Self.time))])
    case .microTime: return obj(["$ref": .string(reference(Self.microTime))])
    case .raw: return obj(["x-kubernetes-preserve-unknown-fields": .bool(true)])
    case .object(let description): return objectSchema(description, custom: true)
    case .array(let items, let semantics):
      var schema = obj(["type": .string("array"), "items": self.schema(for: items, custom: custom)])
      if let listType = semantics.type { schema["x-kubernetes-list-type"] = .string(listType.rawValue) }
      if !semantics.keys.isEmpty { schema["x-kubernetes-list-map-keys"] = .array(semantics.keys.map(JSONValue.string)) }
      return schema
    case .map(let values, let mapType):
      var schema = obj(["type": .string("object"), "additionalProperties": self.schema(for: values, custom: custom)])
      if mapType == .atomic { schema["x-kubernetes-map-type"] = .string("atomic") }
      return schema
    }
  }

  func scalar(_ type: String, _ format: String?) -> JSONValue {
    var schema = obj(["type": .string(type)])
    if let format { schema["format"] = .string(format) }
    return schema
  }

  /// All definitions reachable from `roots`, as a name → schema map.
  func closure(of roots: [String]) -> [String: JSONValue] {
    var result: [String: JSONValue] = [:]
    var pending = roots
    while let name = pending.popLast() {
      if result[name] != nil { continue }
      if let scalar = Self.scalarDefinitions[name] {
        result[name] = scalar
      } else if let type = registry.definition(name) {
        result[name] = definition(type)
        pending.append(contentsOf: type.fields.flatMap { Self.references(of: $0.type) })
        if let additional = type.additionalProperties { pending.append(contentsOf: Self.references(of: additional)) }
      }
    }
    return result
  }
}

/// An object from pairs, for building documents without literal conformances on JSONValue.
func obj(_ members: [String: JSONValue]) -> JSONValue { .object(members) }
