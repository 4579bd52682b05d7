import KubeAPI

/// Applies `application/strategic-merge-patch+json` the way kube-apiserver does for built-in kinds:
/// the schema supplies merge keys and strategies; the patch may carry `$patch`, `$retainKeys`,
/// `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` directives.
struct StrategicMergePatch {
  static let directive = "$patch"
  static let retainKeys = "$retainKeys"
  static let setOrderPrefix = "$setElementOrder/"
  static let deletePrimitivePrefix = "$deleteFromPrimitiveList/"

  let registry: SchemaRegistry

  /// What the schema says about the object being merged.
  enum Context {
    case type(TypeDescription)
    case map(FieldType)
    case none
  }

  /// Schema facts for one member of an object.
  struct Member {
    var type: FieldType?
    var strategy: PatchStrategy = []
    var mergeKey: String = ""
  }

  func context(for type: FieldType?) -> Context {
    switch type {
    case .ref, .object: registry.resolve(type!).map(Context.type) ?? .none
    case .map(let values, _): .map(values)
    case .array(let items, _): context(for: items)
    default: .none
    }
  }

  func member(_ key: String, in context: Context) -> Member {
    switch context {
    case .type(let description):
      if let field = description.field(key) {
        return Member(type: field.type, strategy: field.patchStrategy, mergeKey: field.patchMergeKey ?? "")
      }
      return Member(type: description.additionalProperties)
    case .map(let values): return Member(type: values)
    case .none: return Member()
    }
  }

  // MARK: maps

  func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], _ context: Context) throws -> [String:
    JSONValue]
  {
    var patch = patch
    if let value = patch[Self.directive] {
      switch value.stringValue {
      case "replace":
        patch[Self.directive] = nil
        return patch
      case "delete": return [:]
      default:
        throw SchemaError.invalidPatch(
          "unknown patch type: \(value.debugText) in map: \(JSONValue.object(patch).debugText)")
      }
    }
    var original = original
    try applyRetainKeys(&original, &patch)
    try mergeSetElementOrder(&original, &patch, context)

    for (rawKey, patchValue) in patch {
      var key = rawKey
      var isDeleteList = false
      if rawKey.hasPrefix(Self.deletePrimitivePrefix) {
        key = String(rawKey.dropFirst(Self.deletePrimitivePrefix.count))
        isDeleteList = true
        guard !key.isEmpty else { throw SchemaError.invalidPatch("invalid patch format of primitive list") }
      } else if rawKey.hasPrefix("$deleteFromPrimitiveList") {
        throw SchemaError.invalidPatch("invalid patch format of primitive list")
      }
      if patchValue.isNull {
        original[key] = nil
        continue
      }
      guard let originalValue = original[key], originalValue.shape == patchValue.shape else {
        if !isDeleteList {
          original[key] = Self.removeDirectives(Self.discardingNulls(patchValue))
        }
        continue
      }
      let info = member(key, in: context)
      let strategy: PatchStrategy = info.strategy.subtracting(.retainKeys)
      switch (originalValue, patchValue) {
      case (.object(let originalMembers), .object(let patchMembers)):
        if strategy.contains(.replace) {
          original[key] = patchValue
        } else {
          original[key] = .object(try mergeMap(originalMembers, patchMembers, self.context(for: info.type)))
        }
      case (.array(let originalItems), .array(let patchItems)):
        if strategy.contains(.merge) || isDeleteList {
          original[key] = .array(
            try mergeList(originalItems, patchItems, info, isDeleteList: isDeleteList))
        } else {
          original[key] = patchValue
        }
      default:
        original[key] = Self.removeDirectives(patchValue)
      }
    }
    return original
  }

  /// `$retainKeys`: drop every key of the original not listed; the patch may only set listed keys.
  func applyRetainKeys(_ original: inout [String: JSONValue], _ patch: inout [String: JSONValue]) throws {
    guard let retain = patch.removeValue(forKey: Self.retainKeys) else { return }
    guard let list = retain.arrayValue else { throw SchemaError.invalidPatch("invalid patch format of retainKeys") }
    let keep = Set(list.compactMap(\.stringValue))
    for (key, value) in patch where !value.isNull && !key.hasPrefix(Self.deletePrimitivePrefix) {
      if !key.hasPrefix(Self.setOrderPrefix) && !keep.contains(key) {
        throw SchemaError.invalidPatch("invalid patch format of retainKeys")
      }
    }
    original = original.filter { keep.contains($0.key) }
  }

  /// `$setElementOrder/<field>`: merge the list, then order its members as the directive says.
  func mergeSetElementOrder(
    _ original: inout [String: JSONValue], _ patch: inout [String: JSONValue], _ context: Context
  ) throws {
    for key in patch.keys.sorted() where key.hasPrefix(Self.setOrderPrefix) {
      let order = patch.removeValue(forKey: key)!
      guard let orderList = order.arrayValue else {
        throw SchemaError.invalidPatch("invalid patch format of setElementOrder list")
      }
      let listKey = String(key.dropFirst(Self.setOrderPrefix.count))
      guard !listKey.isEmpty else { throw SchemaError.invalidPatch("invalid patch format of setElementOrder list") }
      let info = member(listKey, in: context)
      let originalList = try original[listKey].map { try Self.list($0) }
      let patchList = try patch[listKey].map { try Self.list($0) }
      try Self.validateOrder(patchList ?? [], orderList, mergeKey: info.mergeKey)
      let merged: [JSONValue]
      switch (originalList, patchList) {
      case (let originalItems?, nil): merged = originalItems
      case (nil, let patchItems?): merged = Self.removeDirectives(.array(patchItems))?.arrayValue ?? []
      case (let originalItems?, let patchItems?):
        if info.strategy.contains(.merge) {
          merged = try mergeList(originalItems, patchItems, info, isDeleteList: false)
        } else {
          merged = patchItems
        }
      case (nil, nil): continue
      }
      let (inOrder, serverOnly) = try Self.partition(merged, by: orderList, mergeKey: info.mergeKey)
      original[listKey] = .array(
        try Self.normalizeOrder(
          patchItems: inOrder, serverOnly: serverOnly, patchOrder: orderList, serverOrder: originalList ?? [],
          mergeKey: info.mergeKey))
      patch[listKey] = nil
    }
  }
}
