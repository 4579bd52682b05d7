import KubeAPI

extension SchemaRegistry {
  /// Checks value types, required fields and enumerations against the schema, with the messages
  /// kube-apiserver gives for CRD validation
  /// (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`). Meant for custom resources
  /// (built-in kinds are validated by their strategies); run after pruning and defaulting, as upstream does.
  public func validate(_ object: JSONValue, kind gvk: GVK) -> [FieldError] {
    guard let type = type(of: gvk) else { return [] }
    var errors: [FieldError] = []
    validate(object, as: .object(type), path: "", nullable: false, into: &errors, isRoot: true)
    return errors
  }

  func validate(
    _ value: JSONValue, as type: FieldType, path: String, nullable: Bool, into errors: inout [FieldError],
    isRoot: Bool = false
  ) {
    if value.isNull {
      if !nullable, type != .raw { errors.append(Self.typeError(path, expected: Self.typeName(type), value: value)) }
      return
    }
    switch type {
    case .raw: return
    case .string, .time, .microTime:
      if value.shape != .string { errors.append(Self.typeError(path, expected: "string", value: value)) }
    case .integer:
      if value.intValue == nil || value.shape != .number {
        errors.append(Self.typeError(path, expected: "integer", value: value))
      }
    case .number:
      if value.shape != .number { errors.append(Self.typeError(path, expected: "number", value: value)) }
    case .boolean:
      if value.shape != .bool { errors.append(Self.typeError(path, expected: "boolean", value: value)) }
    case .intOrString:
      if value.shape != .string && value.intValue == nil {
        errors.append(Self.typeError(path, expected: "integer,string", value: value))
      }
    case .quantity:
      if value.shape != .string && value.shape != .number {
        errors.append(Self.typeError(path, expected: "string", value: value))
      }
    case .array(let items, _):
      guard let elements = value.arrayValue else {
        errors.append(Self.typeError(path, expected: "array", value: value))
        return
      }
      for (index, element) in elements.enumerated() {
        validate(element, as: items, path: "\(path)[\(index)]", nullable: false, into: &errors)
      }
    case .map(let values, _):
      guard let members = value.objectValue else {
        errors.append(Self.typeError(path, expected: "object", value: value))
        return
      }
      for key in members.keys.sorted() {
        validate(members[key]!, as: values, path: Self.join(path, key), nullable: false, into: &errors)
      }
    case .ref, .object:
      guard let members = value.objectValue else {
        errors.append(Self.typeError(path, expected: "object", value: value))
        return
      }
      guard let description = resolve(type) else { return }
      for field in description.fields {
        let fieldPath = Self.join(path, field.name)
        guard let member = members[field.name] else {
          if field.required {
            errors.append(.required(FieldPath(fieldPath)))
          }
          continue
        }
        if isRoot && field.name == "metadata" { continue }
        validate(member, as: field.type, path: fieldPath, nullable: field.nullable, into: &errors)
        if !field.enumValues.isEmpty && !member.isNull
          && !field.enumValues.contains(where: { $0.looselyEquals(member) })
        {
          let allowed = field.enumValues.map(\.canonicalText).joined(separator: ", ")
          errors.append(
            FieldError(
              type: .notSupported, field: FieldPath(fieldPath), badValue: member, detail: "supported values: \(allowed)"
            ))
        }
      }
    }
  }

  static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  static func typeName(_ type: FieldType) -> String {
    switch type {
    case .integer: "integer"
    case .number: "number"
    case .boolean: "boolean"
    case .array: "array"
    case .ref, .object, .map: "object"
    case .intOrString: "integer,string"
    default: "string"
    }
  }

  static func typeError(_ path: String, expected: String, value: JSONValue) -> FieldError {
    let actual: String =
      switch value.shape {
      case .null: "null"
      case .bool: "boolean"
      case .number: value.intValue != nil ? "integer" : "number"
      case .string: "string"
      case .array: "array"
      case .object: "object"
      }
    return .invalid(FieldPath(path), .string(actual), "\(path) in body must be of type \(expected): \"\(actual)\"")
  }
}
