import KubeAPI

/// An object type: its fields in declaration order plus the object-level extensions.
public struct TypeDescription: Sendable, Hashable {
  /// Definition name (`io.k8s.api.core.v1.PodSpec`); empty for anonymous CRD objects.
  public var name: String
  public var description: String
  public private(set) var fields: [Field]
  /// `x-kubernetes-map-type: atomic` / `+structType=atomic`: replaced whole by apply and merge.
  public var atomic: Bool
  /// Unknown members are kept rather than rejected or pruned.
  public var preserveUnknownFields: Bool
  /// `x-kubernetes-embedded-resource`: carries its own apiVersion, kind and metadata.
  public var embeddedResource: Bool
  /// The kinds whose top-level object has this type (`x-kubernetes-group-version-kind`).
  public var kinds: [GVK]
  /// For a map-like object with declared fields *and* free keys (`additionalProperties` beside `properties`).
  public var additionalProperties: FieldType?
  private var index: [String: Int]

  public init(
    name: String, description: String = "", fields: [Field], atomic: Bool = false,
    preserveUnknownFields: Bool = false, embeddedResource: Bool = false, kinds: [GVK] = [],
    additionalProperties: FieldType? = nil
  ) {
    self.name = name
    self.description = description
    self.fields = fields
    self.atomic = atomic
    self.preserveUnknownFields = preserveUnknownFields
    self.embeddedResource = embeddedResource
    self.kinds = kinds
    self.additionalProperties = additionalProperties
    index = Dictionary(fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  public func field(_ name: String) -> Field? {
    index[name].map { fields[$0] }
  }

  /// Replaces or appends a field, keeping declaration order.
  public mutating func setField(_ field: Field) {
    if let position = index[field.name] {
      fields[position] = field
    } else {
      index[field.name] = fields.count
      fields.append(field)
    }
  }

  public var requiredFields: [String] { fields.filter(\.required).map(\.name) }
}
