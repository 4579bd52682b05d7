import KubeAPI

/// Unknown-field detection and pruning share one walk: built-in kinds report the fields (strict field
/// validation rejects or warns), custom kinds drop them (CRD pruning) and may report them too.
extension SchemaRegistry {
  /// Paths (`spec.containers[0].foo`) of members the schema does not declare, in a stable order.
  public func unknownFields(in object: JSONValue, kind gvk: GVK) -> [String] {
    guard let type = type(of: gvk) else { return [] }
    var copy = object
    var found: [String] = []
    prune(&copy, as: .object(type), path: "", pruned: &found, isRoot: true)
    return found
  }

  /// kube-apiserver's text for each unknown field, as used in `strict decoding error: …` and in warnings.
  public static func unknownFieldMessages(_ paths: [String]) -> [String] {
    paths.map { "unknown field \"\($0)\"" }
  }

  /// The error strict field validation answers with (400 Bad Request upstream).
  public func strictDecodingError(for object: JSONValue, kind gvk: GVK) -> SchemaError? {
    let paths = unknownFields(in: object, kind: gvk)
    return paths.isEmpty ? nil : .unknownFields(Self.unknownFieldMessages(paths))
  }

  /// Drops members the schema does not declare (what the API server does for custom resources).
  /// Returns the pruned object and the paths removed.
  public func prune(_ object: JSONValue, kind gvk: GVK) -> (object: JSONValue, pruned: [String]) {
    guard let type = type(of: gvk) else { return (object, []) }
    var copy = object
    var found: [String] = []
    prune(&copy, as: .object(type), path: "", pruned: &found, isRoot: true)
    return (copy, found)
  }

  func prune(_ value: inout JSONValue, as type: FieldType, path: String, pruned: inout [String], isRoot: Bool = false) {
    switch (type, value) {
    case (.ref, .object), (.object, .object):
      guard let description = resolve(type), case .object(var members) = value else { return }
      for key in members.keys.sorted() {
        let childPath = path.isEmpty ? key : "\(path).\(key)"
        if let field = description.field(key) {
          prune(&members[key]!, as: field.type, path: childPath, pruned: &pruned)
        } else if let additional = description.additionalProperties {
          prune(&members[key]!, as: additional, path: childPath, pruned: &pruned)
        } else if isRoot && (key == "apiVersion" || key == "kind") {
          continue
        } else if !description.preserveUnknownFields {
          pruned.append(childPath)
          members[key] = nil
        }
      }
      value = .object(members)
    case (.map(let values, _), .object(var members)):
      for key in members.keys.sorted() {
        prune(&members[key]!, as: values, path: path.isEmpty ? key : "\(path).\(key)", pruned: &pruned)
      }
      value = .object(members)
    case (.array(let items, _), .array(var elements)):
      for index in elements.indices {
        prune(&elements[index], as: items, path: "\(path)[\(index)]", pruned: &pruned)
      }
      value = .array(elements)
    default:
      return
    }
  }

  /// Fills in schema defaults top-down (a defaulted object is itself defaulted), and drops explicit nulls
  /// of non-nullable fields that have no default, as the API server does for custom resources.
  public func applyDefaults(_ object: JSONValue, kind gvk: GVK) -> JSONValue {
    guard let type = type(of: gvk) else { return object }
    var copy = object
    applyDefaults(&copy, as: .object(type))
    return copy
  }

  func applyDefaults(_ value: inout JSONValue, as type: FieldType) {
    switch (type, value) {
    case (.ref, .object), (.object, .object):
      guard let description = resolve(type), case .object(var members) = value else { return }
      for field in description.fields {
        let current = members[field.name]
        if current == nil || (current == .null && !field.nullable) {
          if let defaultValue = field.defaultValue {
            members[field.name] = defaultValue
          } else if current == .null {
            members[field.name] = nil
          }
        }
        if members[field.name] != nil { applyDefaults(&members[field.name]!, as: field.type) }
      }
      value = .object(members)
    case (.map(let values, _), .object(var members)):
      for key in members.keys { applyDefaults(&members[key]!, as: values) }
      value = .object(members)
    case (.array(let items, _), .array(var elements)):
      for index in elements.indices { applyDefaults(&elements[index], as: items) }
      value = .array(elements)
    default:
      return
    }
  }
}
