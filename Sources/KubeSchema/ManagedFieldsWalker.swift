import KubeAPI

/// Server-side apply's view of the schema (structured-merge-diff): how each value is owned and merged.
indirect enum ApplyShape {
  case scalar
  /// Replaced whole; owned as one leaf.
  case atomic
  case structure(TypeDescription)
  case map(FieldType)
  case set
  case keyedList(FieldType, keys: [String], defaults: [String: JSONValue])
  /// Preserve-unknown values: maps are granular, lists atomic.
  case deduced
}

/// Walks objects for server-side apply: which paths a value sets (with their leaf values, so two objects
/// can be compared) and how an applied configuration merges into the live object.
struct ManagedFieldsWalker {
  let registry: SchemaRegistry
  /// Marks the presence of a list item or a non-leaf map entry in a leaf-value table.
  static let marker = JSONValue.string("\u{0}present")

  func shape(of type: FieldType, field: Field? = nil) -> ApplyShape {
    switch type {
    case .ref, .object:
      guard let description = registry.resolve(type) else { return .deduced }
      return description.atomic ? .atomic : .structure(description)
    case .map(let values, let mapType): return mapType == .atomic ? .atomic : .map(values)
    case .raw: return .deduced
    case .array(let items, let semantics):
      var listType = semantics.type
      var keys = semantics.keys
      if listType == nil, let field, field.patchStrategy.contains(.merge) {
        if let key = field.patchMergeKey {
          listType = .map
          keys = [key]
        } else {
          listType = .set
        }
      }
      switch listType {
      case .set: return .set
      case .map:
        var defaults: [String: JSONValue] = [:]
        if let item = registry.resolve(items) {
          for key in keys { if let value = item.field(key)?.defaultValue { defaults[key] = value } }
        }
        return .keyedList(items, keys: keys, defaults: defaults)
      default: return .atomic
      }
    default: return .scalar
    }
  }

  func rootShape(_ gvk: GVK) -> ApplyShape {
    registry.type(of: gvk).map { .structure($0) } ?? .deduced
  }

  /// The path element naming a list item, or nil when the item cannot be identified.
  func element(for item: JSONValue, in shape: ApplyShape, index: Int) -> PathElement? {
    switch shape {
    case .set: return .value(item)
    case .keyedList(_, let keys, let defaults):
      var values: [String: JSONValue] = [:]
      for key in keys {
        guard let value = item[key] ?? defaults[key] else { continue }
        values[key] = value
      }
      return values.isEmpty ? nil : .key(.object(values))
    default: return .index(index)
    }
  }

  /// Leaf values by path: what `value` sets. The keys are the field set a manager owns.
  func leaves(
    of value: JSONValue, shape: ApplyShape, prefix: ManagedFieldPath = ManagedFieldPath([]),
    into table:
      inout [ManagedFieldPath:
      JSONValue]
  ) {
    switch (shape, value) {
    case (.structure(let description), .object(let members)):
      for (key, member) in members {
        let path = prefix.appending(.field(key))
        if let field = description.field(key) {
          let child = self.shape(of: field.type, field: field)
          record(member, shape: child, path: path, into: &table)
        } else if let additional = description.additionalProperties {
          record(member, shape: self.shape(of: additional), path: path, into: &table, entry: true)
        } else if description.preserveUnknownFields {
          record(member, shape: .deduced, path: path, into: &table, entry: true)
        }
      }
    case (.map(let values), .object(let members)):
      let child = self.shape(of: values)
      for (key, member) in members {
        record(member, shape: child, path: prefix.appending(.field(key)), into: &table, entry: true)
      }
    case (.deduced, .object(let members)):
      for (key, member) in members {
        record(member, shape: .deduced, path: prefix.appending(.field(key)), into: &table, entry: true)
      }
    case (.set, .array(let items)), (.keyedList, .array(let items)):
      for (index, item) in items.enumerated() {
        guard let element = element(for: item, in: shape, index: index) else { continue }
        let path = prefix.appending(element)
        table[path] = Self.marker
        if case .keyedList(let itemType, _, _) = shape {
          leaves(of: item, shape: self.shape(of: itemType), prefix: path, into: &table)
        }
      }
    default:
      table[prefix] = value
    }
  }

  /// One member: leaves are recorded with their value; containers recurse, and an empty or null container
  /// (or an entry of a free-form map) is itself owned.
  private func record(
    _ member: JSONValue, shape: ApplyShape, path: ManagedFieldPath, into table: inout [ManagedFieldPath: JSONValue],
    entry: Bool = false
  ) {
    switch (shape, member) {
    case (.structure, .object(let members)), (.map, .object(let members)), (.deduced, .object(let members)):
      if members.isEmpty || entry { table[path] = members.isEmpty ? member : Self.marker }
      leaves(of: member, shape: shape, prefix: path, into: &table)
    case (.set, .array), (.keyedList, .array):
      leaves(of: member, shape: shape, prefix: path, into: &table)
    default:
      table[path] = member
    }
  }
}
