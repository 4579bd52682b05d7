import KubeAPI

/// One named member of an object type, with everything the derived machinery needs.
public struct Field: Sendable, Hashable {
  public var name: String
  public var type: FieldType
  public var required: Bool
  /// Written in our own words; empty when we have nothing useful to say.
  public var description: String
  /// Filled in by defaulting when the field is absent (CRD `default`, built-in `+default`).
  public var defaultValue: JSONValue?
  /// Allowed values, when the field is an enumeration.
  public var enumValues: [JSONValue]
  public var patchStrategy: PatchStrategy
  public var patchMergeKey: String?
  /// CRD `nullable: true`: an explicit null is kept instead of being dropped before defaulting.
  public var nullable: Bool

  public init(
    name: String, type: FieldType, required: Bool = false, description: String = "",
    defaultValue: JSONValue? = nil, enumValues: [JSONValue] = [], patchStrategy: PatchStrategy = [],
    patchMergeKey: String? = nil, nullable: Bool = false
  ) {
    self.name = name
    self.type = type
    self.required = required
    self.description = description
    self.defaultValue = defaultValue
    self.enumValues = enumValues
    self.patchStrategy = patchStrategy
    self.patchMergeKey = patchMergeKey
    self.nullable = nullable
  }
}
