import KubeAPI

/// Type mismatches in built-in objects, reported as kube-apiserver's decoder does before any validation:
/// `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
extension SchemaRegistry {
  /// The first mismatch (in key order), or nil. The API server answers 400 with
  /// `<Kind> in version "<version>" cannot be handled as a <Kind>: <this text>`.
  public func decodeError(in object: JSONValue, kind gvk: GVK) -> String? {
    guard let type = type(of: gvk) else { return nil }
    return decodeError(object, as: .ref(type.name), structName: "", path: "")
  }

  func decodeError(_ value: JSONValue, as type: FieldType, structName: String, path: String) -> String? {
    if value.isNull { return nil }
    func mismatch() -> String {
      "json: cannot unmarshal \(Self.goValueWord(value)) into Go struct field \(structName).\(path) of type "
        + Self.goTypeName(type)
    }
    switch type {
    case .string: return value.shape == .string ? nil : mismatch()
    case .boolean: return value.shape == .bool ? nil : mismatch()
    case .number: return value.shape == .number ? nil : mismatch()
    case .integer: return value.intValue != nil && value.shape == .number ? nil : mismatch()
    case .array(let items, _):
      guard let elements = value.arrayValue else { return mismatch() }
      for element in elements {
        if let error = decodeError(element, as: items, structName: structName, path: path) { return error }
      }
      return nil
    case .map(let values, _):
      guard let members = value.objectValue else { return mismatch() }
      for key in members.keys.sorted() {
        if let error = decodeError(members[key]!, as: values, structName: structName, path: path) { return error }
      }
      return nil
    case .ref, .object:
      guard let members = value.objectValue else { return structName.isEmpty ? nil : mismatch() }
      guard let description = resolve(type) else { return nil }
      let name = String(description.name.split(separator: ".").last ?? "")
      for key in members.keys.sorted() {
        guard let field = description.field(key) else { continue }
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        if let error = decodeError(members[key]!, as: field.type, structName: name, path: childPath) { return error }
      }
      return nil
    default:
      return nil
    }
  }

  /// How Go's decoder names the JSON value it could not place.
  static func goValueWord(_ value: JSONValue) -> String {
    switch value {
    case .string: "string"
    case .bool: "bool"
    case .int: "number"
    case .double(let number): number == number.rounded() ? "number" : "number \(number)"
    case .array: "array"
    case .object: "object"
    case .null: "null"
    }
  }

  /// The Go type of a field as the decoder prints it (`int32`, `[]v1.Container`, `map[string]string`).
  static func goTypeName(_ type: FieldType) -> String {
    switch type {
    case .string, .time, .microTime: return "string"
    case .integer(let format): return format == "int64" ? "int64" : "int32"
    case .number: return "float64"
    case .boolean: return "bool"
    case .array(let items, _): return "[]" + goTypeName(items)
    case .map(let values, _): return "map[string]" + goTypeName(values)
    case .ref(let name):
      let parts = name.split(separator: ".")
      return parts.count >= 2 ? "\(parts[parts.count - 2]).\(parts[parts.count - 1])" : name
    case .quantity: return "resource.Quantity"
    case .intOrString: return "intstr.IntOrString"
    case .object, .raw: return "map[string]interface {}"
    }
  }
}
