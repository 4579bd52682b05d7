import KubeAPI

/// Server-side apply and managed-fields bookkeeping for updates, following structured-merge-diff.
extension SchemaRegistry {
  /// Fields no manager owns: identity and server-maintained metadata.
  static let unownedPaths: [ManagedFieldPath] =
    [ManagedFieldPath([.field("apiVersion")]), ManagedFieldPath([.field("kind")])]
    + [
      "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields",
      "resourceVersion",
    ].map { ManagedFieldPath([.field("metadata"), .field($0)]) }

  static func owned(_ paths: some Sequence<ManagedFieldPath>, ignoring: [ManagedFieldPath]) -> Set<ManagedFieldPath> {
    let excluded = unownedPaths + ignoring
    return Set(paths.filter { path in !excluded.contains { path.hasPrefix($0) } })
  }

  /// Applies `applied` (an apply configuration, JSON) for `manager` on top of `live` (nil to create).
  /// `ignoring` lists subtrees this endpoint does not own (e.g. `status` on the main resource); `now`
  /// is the RFC 3339 time recorded in managedFields. Throws `SchemaError.conflict` unless `force`.
  public func serverSideApply(
    _ applied: JSONValue, to live: JSONValue?, kind gvk: GVK, manager: String, force: Bool = false,
    subresource: String? = nil, ignoring: [ManagedFieldPath] = [], now: String
  ) throws -> JSONValue {
    let walker = ManagedFieldsWalker(registry: self)
    let shape = walker.rootShape(gvk)
    var config = walker.remove(
      ignoring + [ManagedFieldPath([.field("metadata"), .field("managedFields")])], from: applied, shape: shape)
    if config["metadata"]?.objectValue?.isEmpty == true { config["metadata"] = nil }
    var entries = ManagedFieldsEntry.entries(of: live)
    let liveLeaves = leaves(of: live, walker, shape)
    if live != nil, entries.isEmpty, !liveLeaves.isEmpty {
      entries = [
        ManagedFieldsEntry(
          manager: "before-first-apply", operation: "Update", apiVersion: gvk.apiVersion,
          fields: Self.owned(liveLeaves.keys, ignoring: ignoring))
      ]
    }
    let me = ManagedFieldsEntry(
      manager: manager, operation: "Apply", apiVersion: gvk.apiVersion, time: now, subresource: subresource,
      fields: Self.owned(leaves(of: config, walker, shape).keys, ignoring: ignoring))
    var merged = walker.merge(live ?? .object([:]), config, shape: shape)
    let mergedLeaves = leaves(of: merged, walker, shape)
    let changed = Set(mergedLeaves.filter { liveLeaves[$0.key] != $0.value }.keys)

    var conflicts: [(ManagedFieldsEntry, ManagedFieldPath)] = []
    for index in entries.indices where !entries[index].sameOwner(me) {
      let clash = entries[index].fields.intersection(changed)
      if clash.isEmpty { continue }
      if force {
        entries[index].fields.subtract(clash)
      } else {
        conflicts += clash.sorted().map { (entries[index], $0) }
      }
    }
    if !conflicts.isEmpty { throw Self.conflictError(conflicts) }

    let previous = entries.first { $0.sameOwner(me) }?.fields ?? []
    let others = entries.filter { !$0.sameOwner(me) }.reduce(into: Set<ManagedFieldPath>()) { $0.formUnion($1.fields) }
    let dropped = previous.subtracting(me.fields).subtracting(others)
    merged = walker.remove(Array(dropped), from: merged, shape: shape)
    entries.removeAll { $0.sameOwner(me) }
    entries.append(me)
    return Self.withManagedFields(merged, entries)
  }

  /// Records an update (create, PUT, or a non-apply PATCH) by `manager`: it gains the fields it changed,
  /// others lose them, and removed fields leave every set. Returns `new` with managedFields rewritten.
  public func recordUpdate(
    from old: JSONValue?, to new: JSONValue, kind gvk: GVK, manager: String, subresource: String? = nil,
    ignoring: [ManagedFieldPath] = [], now: String
  ) -> JSONValue {
    let walker = ManagedFieldsWalker(registry: self)
    let shape = walker.rootShape(gvk)
    let oldEntries = ManagedFieldsEntry.entries(of: old)
    let sent = new[path: ["metadata", "managedFields"]]
    // Entries a client sent are decoded, so what is stored is always spelled canonically.
    var entries =
      sent != nil && sent != old?[path: ["metadata", "managedFields"]]
      ? ManagedFieldsEntry.entries(of: new, decoded: true) : oldEntries
    let (oldLeaves, newLeaves) = differingLeaves(old, new, walker, shape)
    let changed = Self.owned(newLeaves.filter { oldLeaves[$0.key] != $0.value }.keys, ignoring: ignoring)
    let removed = Set(oldLeaves.keys).subtracting(newLeaves.keys)
    var me = ManagedFieldsEntry(
      manager: manager, operation: "Update", apiVersion: gvk.apiVersion, time: now, subresource: subresource,
      fields: [])
    if let existing = entries.first(where: { $0.sameOwner(me) }) { me.takeFields(of: existing) }
    me.formUnion(changed)
    me.subtract(removed)
    let lost = changed.union(removed)
    for index in entries.indices where !entries[index].sameOwner(me) { entries[index].subtract(lost) }
    entries.removeAll { $0.sameOwner(me) }
    entries.append(me)
    return Self.withManagedFields(new, entries)
  }

  /// Leaf values of the top-level fields where `old` and `new` differ. Fields they share cannot
  /// change owners, and walking them (a pod's whole spec on every status write) was most of an
  /// update's cost; `metadata.managedFields` is never owned, so never walked.
  private func differingLeaves(
    _ old: JSONValue?, _ new: JSONValue, _ walker: ManagedFieldsWalker, _ shape: ApplyShape
  ) -> (old: [ManagedFieldPath: JSONValue], new: [ManagedFieldPath: JSONValue]) {
    func members(_ object: JSONValue?) -> [String: JSONValue] {
      var members = object?.objectValue ?? [:]
      if var metadata = members["metadata"]?.objectValue {
        metadata["managedFields"] = nil
        members["metadata"] = .object(metadata)
      }
      return members
    }
    let before = members(old)
    let after = members(new)
    let differing = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
    let oldLeaves = old == nil ? [:] : leaves(of: .object(before.filter { differing.contains($0.key) }), walker, shape)
    return (oldLeaves, leaves(of: .object(after.filter { differing.contains($0.key) }), walker, shape))
  }

  private func leaves(of object: JSONValue?, _ walker: ManagedFieldsWalker, _ shape: ApplyShape) -> [ManagedFieldPath:
    JSONValue]
  {
    guard let object else { return [:] }
    var table: [ManagedFieldPath: JSONValue] = [:]
    walker.leaves(of: object, shape: shape, into: &table)
    return table.filter { path, _ in !Self.unownedPaths.contains { path.hasPrefix($0) } }
  }

  /// Upstream keeps at most ten Update managers; older ones are folded into `ancient-changes`.
  static let maxUpdateManagers = 10

  static func cappingUpdateManagers(_ entries: [ManagedFieldsEntry]) -> [ManagedFieldsEntry] {
    let updates = entries.filter { $0.operation == "Update" }.sorted { ($0.time ?? "") < ($1.time ?? "") }
    guard updates.count > maxUpdateManagers else { return entries }
    let folded = updates.prefix(updates.count - maxUpdateManagers + 1)
    var ancient = ManagedFieldsEntry(
      manager: "ancient-changes", operation: "Update", apiVersion: folded.last!.apiVersion,
      time: folded.last!.time, fields: [])
    for entry in folded { ancient.fields.formUnion(entry.fields) }
    return entries.filter { entry in !folded.contains { $0.sameOwner(entry) && $0.time == entry.time } } + [ancient]
  }

  static func withManagedFields(_ object: JSONValue, _ entries: [ManagedFieldsEntry]) -> JSONValue {
    var result = object
    let kept = ManagedFieldsEntry.ordered(cappingUpdateManagers(entries.filter { !$0.isEmpty }))
    var metadata = result["metadata"]?.objectValue ?? [:]
    metadata["managedFields"] = kept.isEmpty ? nil : .array(kept.map(\.json))
    result["metadata"] = .object(metadata)
    return result
  }

  static func conflictError(_ conflicts: [(ManagedFieldsEntry, ManagedFieldPath)]) -> SchemaError {
    let causes = conflicts.map { ApplyConflict(field: $0.1.description, message: "conflict with \($0.0.conflictName)") }
    if conflicts.count == 1 {
      return .conflict(
        "Apply failed with 1 conflict: conflict with \(conflicts[0].0.conflictName): \(conflicts[0].1)", causes)
    }
    var byManager: [String: (ManagedFieldsEntry, [ManagedFieldPath])] = [:]
    for (entry, path) in conflicts {
      let key = "\(entry.manager)\u{0}\(entry.operation)\u{0}\(entry.subresource ?? "")"
      byManager[key, default: (entry, [])].1.append(path)
    }
    var lines: [String] = []
    for key in byManager.keys.sorted() {
      let (entry, paths) = byManager[key]!
      lines.append("conflicts with \(entry.conflictName):")
      lines += paths.map { "- \($0)" }
    }
    return .conflict("Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n"), causes)
  }
}
