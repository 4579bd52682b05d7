import KubeAPI

extension StrategicMergePatch {
  static func list(_ value: JSONValue) throws -> [JSONValue] {
    guard let items = value.arrayValue else {
      throw SchemaError.invalidPatch("expected a []interface {}, but received a \(goTypeName(value))")
    }
    return items
  }

  static func goTypeName(_ value: JSONValue) -> String {
    switch value.shape {
    case .null: "nil"
    case .bool: "bool"
    case .number: "float64"
    case .string: "string"
    case .array: "[]interface {}"
    case .object: "map[string]interface {}"
    }
  }

  /// Merges two lists under the merge strategy (or deletes scalars for a `$deleteFromPrimitiveList`).
  func mergeList(_ original: [JSONValue], _ patch: [JSONValue], _ info: Member, isDeleteList: Bool) throws
    -> [JSONValue]
  {
    if original.isEmpty && patch.isEmpty { return original }
    let shape = try Self.elementShape(original, patch)
    let mergeKey = info.mergeKey
    var serverOrder = original
    var patchClean = patch
    let merged: [JSONValue]
    if shape != .object {
      if isDeleteList {
        return original.filter { item in !patch.contains { $0.looselyEquals(item) } }
      }
      merged = Self.deduplicate(original + patch)
    } else {
      guard !mergeKey.isEmpty else {
        throw SchemaError.invalidPatch("cannot merge lists without merge key")
      }
      (serverOrder, patchClean) = try Self.applySpecialElements(original, patch, mergeKey: mergeKey)
      var result = serverOrder
      let itemContext = context(for: info.type)
      for item in patchClean {
        let members = item.objectValue!
        guard let keyValue = members[mergeKey] else { throw Self.noMergeKey(item, mergeKey) }
        if let position = result.firstIndex(where: { $0[mergeKey]?.looselyEquals(keyValue) == true }) {
          result[position] = .object(try mergeMap(result[position].objectValue ?? [:], members, itemContext))
        } else {
          result.append(item)
        }
      }
      merged = result
    }
    let (inPatch, serverOnly) = try Self.partition(merged, by: patchClean, mergeKey: shape == .object ? mergeKey : "")
    return try Self.normalizeOrder(
      patchItems: inPatch, serverOnly: serverOnly, patchOrder: patchClean, serverOrder: serverOrder,
      mergeKey: shape == .object ? mergeKey : "")
  }

  /// Handles `{"$patch": "delete"|"replace"}` members; returns the new original and the plain patch items.
  static func applySpecialElements(_ original: [JSONValue], _ patch: [JSONValue], mergeKey: String) throws -> (
    [JSONValue], [JSONValue]
  ) {
    var original = original
    var plain: [JSONValue] = []
    var replace = false
    for item in patch {
      guard let directive = item[directive] else {
        plain.append(item)
        continue
      }
      switch directive.stringValue {
      case "delete":
        guard let keyValue = item[mergeKey] else { throw noMergeKey(item, mergeKey) }
        original.removeAll { $0[mergeKey]?.looselyEquals(keyValue) == true }
      case "replace": replace = true
      case "merge": throw SchemaError.invalidPatch("merging lists cannot yet be specified in the patch")
      default:
        throw SchemaError.invalidPatch("unknown patch type: \(directive.debugText) in map: \(item.debugText)")
      }
    }
    return replace ? (plain, []) : (original, plain)
  }

  static func noMergeKey(_ item: JSONValue, _ key: String) -> SchemaError {
    .invalidPatch("map: \(item.debugText) does not contain declared merge key: \(key)")
  }

  /// All elements must share one JSON kind, and lists of lists are refused (as upstream).
  static func elementShape(_ lists: [JSONValue]...) throws -> JSONValue.Shape {
    var shape: JSONValue.Shape?
    for list in lists {
      for item in list {
        if shape == nil {
          if item.shape == .array { throw SchemaError.invalidPatch("lists of lists are not supported") }
          shape = item.shape
        } else if shape != item.shape {
          throw SchemaError.invalidPatch("list element types are not identical")
        }
      }
    }
    return shape ?? .object
  }

  static func deduplicate(_ items: [JSONValue]) -> [JSONValue] {
    var result: [JSONValue] = []
    for item in items where !result.contains(where: { $0.looselyEquals(item) }) { result.append(item) }
    return result
  }

  static func identity(_ item: JSONValue, _ mergeKey: String) -> JSONValue? {
    mergeKey.isEmpty ? item : item[mergeKey]
  }

  static func position(of item: JSONValue, in list: [JSONValue], mergeKey: String) -> Int? {
    guard let wanted = identity(item, mergeKey) else { return nil }
    return list.firstIndex { identity($0, mergeKey)?.looselyEquals(wanted) == true }
  }

  /// Splits `items` into those whose identity appears in `present` and the rest, keeping order.
  static func partition(_ items: [JSONValue], by present: [JSONValue], mergeKey: String) throws -> (
    [JSONValue], [JSONValue]
  ) {
    var inside: [JSONValue] = []
    var outside: [JSONValue] = []
    for item in items {
      if !mergeKey.isEmpty && item[mergeKey] == nil { throw noMergeKey(item, mergeKey) }
      if position(of: item, in: present, mergeKey: mergeKey) != nil {
        inside.append(item)
      } else {
        outside.append(item)
      }
    }
    return (inside, outside)
  }

  /// Orders patch items by the patch's order and server-only items by the live order, then interleaves
  /// them: a server-only item goes before the first patch item that follows it in the live list.
  static func normalizeOrder(
    patchItems: [JSONValue], serverOnly: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue],
    mergeKey: String
  ) throws -> [JSONValue] {
    let right = sortStable(patchItems, by: patchOrder, mergeKey: mergeKey)
    let left = sortStable(serverOnly, by: serverOrder, mergeKey: mergeKey)
    var result: [JSONValue] = []
    var i = 0
    var j = 0
    while i < left.count || j < right.count {
      if i >= left.count {
        result.append(right[j])
        j += 1
      } else if j >= right.count {
        result.append(left[i])
        i += 1
      } else if let li = position(of: left[i], in: serverOrder, mergeKey: mergeKey),
        let ri = position(of: right[j], in: serverOrder, mergeKey: mergeKey), li < ri
      {
        result.append(left[i])
        i += 1
      } else {
        result.append(right[j])
        j += 1
      }
    }
    return result
  }

  static func sortStable(_ items: [JSONValue], by order: [JSONValue], mergeKey: String) -> [JSONValue] {
    let ranked = items.enumerated().map { offset, item in
      (rank: position(of: item, in: order, mergeKey: mergeKey) ?? Int.max, offset: offset, item: item)
    }
    return ranked.sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }.map(\.item)
  }

  /// Checks that the patch list's members appear in the `$setElementOrder` list in the same relative order.
  static func validateOrder(_ patchList: [JSONValue], _ order: [JSONValue], mergeKey: String) throws {
    if patchList.isEmpty || order.isEmpty { return }
    let members = patchList.filter { $0[directive] == nil }
    var p = 0
    var o = 0
    while p < members.count && o < order.count {
      guard let wanted = identity(members[p], mergeKey), let have = identity(order[o], mergeKey) else {
        throw noMergeKey(members[p][mergeKey] == nil ? members[p] : order[o], mergeKey)
      }
      if wanted.looselyEquals(have) { p += 1 }
      o += 1
    }
    if p < members.count {
      throw SchemaError.invalidPatch(
        "The order in patch list:\n\(JSONValue.array(patchList).debugText)\n doesn't match $setElementOrder list:\n"
          + "\(JSONValue.array(order).debugText)\n")
    }
  }

  /// New values carry no directives: members that are directives are dropped, as are directive keys.
  static func removeDirectives(_ value: JSONValue) -> JSONValue? {
    switch value {
    case .object(let members):
      if members[directive] != nil { return nil }
      var result: [String: JSONValue] = [:]
      for (key, member) in members where !isDirectiveKey(key) {
        if let kept = removeDirectives(member) { result[key] = kept }
      }
      return .object(result)
    case .array(let items): return .array(items.compactMap(removeDirectives))
    default: return value
    }
  }

  static func isDirectiveKey(_ key: String) -> Bool {
    key == retainKeys || key.hasPrefix(setOrderPrefix) || key.hasPrefix(deletePrimitivePrefix)
  }

  static func discardingNulls(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues(discardingNulls))
    case .array(let items): .array(items.map(discardingNulls))
    default: value
    }
  }
}

extension SchemaRegistry {
  /// Applies a strategic merge patch to an object of kind `gvk`. Kinds the registry does not know are
  /// merged without schema (maps merged, lists replaced); kube-apiserver itself refuses strategic merge
  /// for custom resources with 415, which the caller decides (see `supportsStrategicMergePatch`).
  public func applyStrategicMergePatch(_ patch: JSONValue, to original: JSONValue, kind gvk: GVK) throws -> JSONValue {
    try applyStrategicMergePatch(patch, to: original, type: type(of: gvk))
  }

  public func applyStrategicMergePatch(_ patch: JSONValue, to original: JSONValue, type: TypeDescription?) throws
    -> JSONValue
  {
    guard case .object(let patchMembers) = patch else { throw SchemaError.invalidPatch("invalid JSON document") }
    let merger = StrategicMergePatch(registry: self)
    let result = try merger.mergeMap(
      original.objectValue ?? [:], patchMembers, type.map(StrategicMergePatch.Context.type) ?? .none)
    return .object(result)
  }

  /// Built-in kinds take strategic merge patches; custom resources do not (upstream answers 415).
  public func supportsStrategicMergePatch(_ gvk: GVK) -> Bool {
    kinds[gvk] != nil && !isCustom(gvk)
  }
}
