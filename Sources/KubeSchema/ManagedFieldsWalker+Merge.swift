import KubeAPI

extension ManagedFieldsWalker {
  /// Merges an applied configuration into the live value: granular maps key by key, keyed lists and
  /// sets item by item (live-only items keep their place, shared items follow the applied order),
  /// everything else replaced.
  /// An applied `null` owns the field and leaves it unset (typed objects have no null fields).
  func merge(_ live: JSONValue?, _ applied: JSONValue, shape: ApplyShape) -> JSONValue {
    guard let live = live ?? (applied.objectValue != nil ? .object([:]) : nil) else { return applied }
    switch (shape, live, applied) {
    case (.structure(let description), .object(var result), .object(let members)):
      for (key, member) in members {
        let childShape: ApplyShape
        if let field = description.field(key) {
          childShape = self.shape(of: field.type, field: field)
        } else if let additional = description.additionalProperties {
          childShape = self.shape(of: additional)
        } else {
          childShape = .deduced
        }
        result[key] = member.isNull ? nil : merge(result[key], member, shape: childShape)
      }
      return .object(result)
    case (.map(let values), .object(var result), .object(let members)):
      let childShape = self.shape(of: values)
      for (key, member) in members { result[key] = member.isNull ? nil : merge(result[key], member, shape: childShape) }
      return .object(result)
    case (.deduced, .object(var result), .object(let members)):
      for (key, member) in members { result[key] = member.isNull ? nil : merge(result[key], member, shape: .deduced) }
      return .object(result)
    case (.set, .array(let liveItems), .array(let appliedItems)),
      (.keyedList, .array(let liveItems), .array(let appliedItems)):
      return .array(mergeList(liveItems, appliedItems, shape: shape))
    default:
      return applied
    }
  }

  private func mergeList(_ live: [JSONValue], _ applied: [JSONValue], shape: ApplyShape) -> [JSONValue] {
    let itemShape: ApplyShape
    if case .keyedList(let itemType, _, _) = shape { itemShape = self.shape(of: itemType) } else { itemShape = .scalar }
    let liveIDs = live.enumerated().map { element(for: $1, in: shape, index: $0) }
    let appliedIDs = applied.enumerated().map { element(for: $1, in: shape, index: $0) }
    let appliedSet = Set(appliedIDs.compactMap { $0 })
    let liveSet = Set(liveIDs.compactMap { $0 })
    var shared = appliedIDs.filter { $0 != nil && liveSet.contains($0!) }[...]
    var done: Set<PathElement> = []
    var result: [JSONValue] = []
    func liveItem(_ id: PathElement?) -> JSONValue? {
      guard let id, let index = liveIDs.firstIndex(of: id) else { return nil }
      return live[index]
    }
    var l = 0
    var r = 0
    while l < live.count || r < applied.count {
      if l < live.count, r < applied.count, let id = liveIDs[l], id == appliedIDs[r] {
        result.append(merge(live[l], applied[r], shape: itemShape))
        done.insert(id)
        if shared.first == id { shared.removeFirst() }
        l += 1
        r += 1
        continue
      }
      if l < live.count {
        let id = liveIDs[l]
        if id == nil || !appliedSet.contains(id!) {
          result.append(live[l])
          l += 1
          continue
        }
        if done.contains(id!) || (r < applied.count && shared.first != nil && shared.first != id) {
          l += 1
          continue
        }
      }
      if r < applied.count {
        let id = appliedIDs[r]
        if let id, done.contains(id) {
          r += 1
          continue
        }
        result.append(merge(liveItem(id), applied[r], shape: itemShape))
        if let id {
          done.insert(id)
          if shared.first == id { shared.removeFirst() }
        }
        r += 1
      } else {
        l += 1
      }
    }
    return result
  }

  /// Removes the values at `paths` (fields a manager stopped applying and nobody else owns).
  func remove(_ paths: [ManagedFieldPath], from object: JSONValue, shape: ApplyShape) -> JSONValue {
    var result = object
    for path in paths.sorted(by: { $0.elements.count > $1.elements.count }) {
      result = remove(path.elements[...], from: result, shape: shape) ?? result
    }
    return result
  }

  private func remove(_ elements: ArraySlice<PathElement>, from value: JSONValue, shape: ApplyShape) -> JSONValue? {
    guard let first = elements.first else { return nil }
    let rest = elements.dropFirst()
    switch (first, value) {
    case (.field(let name), .object(var members)):
      guard let member = members[name] else { return value }
      if rest.isEmpty {
        members[name] = nil
      } else {
        members[name] = remove(rest, from: member, shape: childShape(name, of: shape)) ?? member
      }
      return .object(members)
    case (.key, .array(var items)), (.value, .array(var items)), (.index, .array(var items)):
      guard let index = items.indices.first(where: { element(for: items[$0], in: shape, index: $0) == first })
      else { return value }
      if rest.isEmpty {
        items.remove(at: index)
      } else {
        var itemShape: ApplyShape = .deduced
        if case .keyedList(let itemType, _, _) = shape { itemShape = self.shape(of: itemType) }
        items[index] = remove(rest, from: items[index], shape: itemShape) ?? items[index]
      }
      return .array(items)
    default:
      return value
    }
  }

  func childShape(_ name: String, of shape: ApplyShape) -> ApplyShape {
    switch shape {
    case .structure(let description):
      if let field = description.field(name) { return self.shape(of: field.type, field: field) }
      return description.additionalProperties.map { self.shape(of: $0) } ?? .deduced
    case .map(let values): return self.shape(of: values)
    default: return .deduced
    }
  }
}
