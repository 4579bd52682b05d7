import KubeAPI

extension SchemaRegistry {
  /// Definition name the API server gives a custom kind: the group reversed, then version and kind
  /// (`stable.example.com`, `v1`, `CronTab` → `com.example.stable.v1.CronTab`).
  public static func definitionName(for gvk: GVK) -> String {
    let reversedGroup = gvk.group.split(separator: ".").reversed().joined(separator: ".")
    return [reversedGroup, gvk.version, gvk.kind].filter { !$0.isEmpty }.joined(separator: ".")
  }

  /// Registers every served version of a CustomResourceDefinition (the whole CRD object as JSON).
  /// Returns the kinds added. Replaces what an earlier version of the same CRD registered.
  @discardableResult
  public mutating func addCustomResourceDefinition(_ crd: JSONValue) throws -> [GVK] {
    guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
      let kind = spec[path: ["names", "kind"]]?.stringValue
    else { throw SchemaError.invalidSchema("CustomResourceDefinition needs spec.group and spec.names.kind") }
    let listKind = spec[path: ["names", "listKind"]]?.stringValue ?? kind + "List"
    removeCustomResources(group: group, kind: kind)
    var added: [GVK] = []
    for version in spec["versions"]?.arrayValue ?? [] {
      guard let name = version["name"]?.stringValue else { continue }
      if version["served"]?.boolValue == false { continue }
      let schema = version[path: ["schema", "openAPIV3Schema"]] ?? spec[path: ["validation", "openAPIV3Schema"]]
      let gvk = GVK(group: group, version: name, kind: kind)
      try addCustomResource(gvk, listKind: listKind, openAPIV3Schema: schema ?? .object(["type": .string("object")]))
      added.append(gvk)
    }
    return added
  }

  /// Removes the definitions of one custom kind (all versions), e.g. when its CRD is deleted.
  public mutating func removeCustomResources(group: String, kind: String) {
    for gvk in customKinds where gvk.group == group && (gvk.kind == kind || gvk.kind == kind + "List") {
      if let name = kinds[gvk] { remove(definition: name) }
    }
  }

  /// Registers one custom kind and its list from a structural OpenAPI v3 schema.
  public mutating func addCustomResource(_ gvk: GVK, listKind: String? = nil, openAPIV3Schema: JSONValue) throws {
    let name = Self.definitionName(for: gvk)
    guard case .object(var root) = try Self.fieldType(from: openAPIV3Schema, path: "openAPIV3Schema") else {
      throw SchemaError.invalidSchema("openAPIV3Schema of \(gvk) must be of type object")
    }
    root.name = name
    root.kinds = [gvk]
    root.embeddedResource = false
    Self.addResourceFields(to: &root, metadata: .meta("ObjectMeta"))
    add(root)
    let listGVK = GVK(group: gvk.group, version: gvk.version, kind: listKind ?? gvk.kind + "List")
    add(
      TypeDescription(
        name: Self.definitionName(for: listGVK), description: "A list of \(gvk.kind) objects.",
        fields: [
          Field(name: "apiVersion", type: .str), Field(name: "kind", type: .str),
          Field(name: "metadata", type: .meta("ListMeta")),
          Field(name: "items", type: .array(.ref(name), .unspecified), required: true),
        ], kinds: [listGVK]))
    markCustom(gvk)
    markCustom(listGVK)
  }

  /// apiVersion, kind and metadata are implicit in a resource's schema (CRD root or embedded resource).
  static func addResourceFields(to type: inout TypeDescription, metadata: FieldType) {
    for (fieldName, fieldType) in [("apiVersion", FieldType.str), ("kind", .str)] where type.field(fieldName) == nil {
      type.setField(Field(name: fieldName, type: fieldType))
    }
    var meta = type.field("metadata") ?? Field(name: "metadata", type: metadata)
    meta.type = metadata
    type.setField(meta)
  }

  /// Converts one schema node to a field type; `path` names the node in errors.
  static func fieldType(from node: JSONValue, path: String) throws -> FieldType {
    guard case .object = node else { throw SchemaError.invalidSchema("\(path): a schema must be an object") }
    if node["x-kubernetes-int-or-string"]?.boolValue == true { return .intOrString }
    let preserve = node["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
    let embedded = node["x-kubernetes-embedded-resource"]?.boolValue == true
    let type = node["type"]?.stringValue
    switch type {
    case "string": return .string(format: node["format"]?.stringValue)
    case "integer": return .integer(format: node["format"]?.stringValue)
    case "number": return .number(format: node["format"]?.stringValue)
    case "boolean": return .boolean
    case "array":
      let items = try node["items"].map { try fieldType(from: $0, path: path + ".items") } ?? .raw
      let listType = node["x-kubernetes-list-type"]?.stringValue.flatMap(ListType.init(rawValue:))
      let keys = node["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
      if listType == .map && keys.isEmpty {
        throw SchemaError.invalidSchema("\(path): x-kubernetes-list-type map needs x-kubernetes-list-map-keys")
      }
      return .array(items, ListSemantics(type: listType, keys: keys))
    case "object", nil:
      let atomic = node["x-kubernetes-map-type"]?.stringValue == "atomic"
      if let additional = node["additionalProperties"], node["properties"] == nil {
        let values: FieldType =
          additional.boolValue != nil ? .raw : try fieldType(from: additional, path: path + ".additionalProperties")
        return .map(values, atomic ? .atomic : .granular)
      }
      if type == nil && node["properties"] == nil && !embedded { return .raw }
      var fields: [Field] = []
      let required = Set(node["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
      let properties = node["properties"]?.objectValue ?? [:]
      for key in properties.keys.sorted() {
        fields.append(try field(named: key, node: properties[key]!, required: required.contains(key), path: path))
      }
      var object = TypeDescription(
        name: "", description: node["description"]?.stringValue ?? "", fields: fields, atomic: atomic,
        preserveUnknownFields: preserve, embeddedResource: embedded)
      if embedded { addResourceFields(to: &object, metadata: .meta("ObjectMeta")) }
      return .object(object)
    default:
      throw SchemaError.invalidSchema("\(path): unsupported type \"\(type ?? "")\"")
    }
  }

  static func field(named name: String, node: JSONValue, required: Bool, path: String) throws -> Field {
    let type = try fieldType(from: node, path: "\(path).properties[\(name)]")
    return Field(
      name: name, type: type, required: required, description: node["description"]?.stringValue ?? "",
      defaultValue: node["default"], enumValues: node["enum"]?.arrayValue ?? [],
      patchStrategy: node["x-kubernetes-patch-strategy"]?.stringValue.map(PatchStrategy.init(openAPIValue:)) ?? [],
      patchMergeKey: node["x-kubernetes-patch-merge-key"]?.stringValue,
      nullable: node["nullable"]?.boolValue == true)
  }
}
