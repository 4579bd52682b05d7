import KubeAPI

/// The one registry of type descriptions: named definitions plus the kind each top-level type serves.
/// OpenAPI, strategic merge patch, server-side apply, validation, pruning and defaulting all read it.
public struct SchemaRegistry: Sendable {
  public internal(set) var definitions: [String: TypeDescription] = [:]
  /// GVK to definition name.
  public internal(set) var kinds: [GVK: String] = [:]
  /// Kinds that came from CRDs: their unknown fields are pruned instead of rejected.
  public internal(set) var customKinds: Set<GVK> = []

  public init() {}

  /// The built-in Kubernetes v1.32 types; copy it and add CRDs to the copy.
  public static let builtIn: SchemaRegistry = {
    var registry = SchemaRegistry()
    for type in BuiltInTypes.all() { registry.add(type) }
    registry.applyDescriptions()
    return registry
  }()

  /// Adds or replaces a definition and indexes the kinds it declares.
  public mutating func add(_ type: TypeDescription) {
    if let old = definitions[type.name] {
      for gvk in old.kinds where kinds[gvk] == type.name { kinds[gvk] = nil }
    }
    definitions[type.name] = type
    for gvk in type.kinds { kinds[gvk] = type.name }
  }

  /// Removes a definition and the kinds that pointed at it.
  public mutating func remove(definition name: String) {
    guard let old = definitions.removeValue(forKey: name) else { return }
    for gvk in old.kinds where kinds[gvk] == name {
      kinds[gvk] = nil
      customKinds.remove(gvk)
    }
  }

  public func definition(_ name: String) -> TypeDescription? { definitions[name] }

  /// The top-level type of objects of this kind, nil when the kind is unknown.
  public func type(of gvk: GVK) -> TypeDescription? { kinds[gvk].flatMap { definitions[$0] } }

  public func isCustom(_ gvk: GVK) -> Bool { customKinds.contains(gvk) }

  /// The object type behind a field type (named or anonymous); nil for scalars, lists, maps, raw.
  public func resolve(_ type: FieldType) -> TypeDescription? {
    switch type {
    case .ref(let name): definitions[name]
    case .object(let description): description
    default: nil
    }
  }

  mutating func markCustom(_ gvk: GVK) { customKinds.insert(gvk) }
}
