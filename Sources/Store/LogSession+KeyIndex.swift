/// Reads of the current keys when they are kept in memory: the tree gives the keys and their
/// revisions, the log rows their values, in the same snapshot.
extension LogSession {
  /// Keys in `range` as of `revision` (nil = the newest), in key order.
  func range(
    _ range: KeyRange, in keys: CurrentKeys, at revision: Int64?, limit: Int64, keysOnly: Bool
  ) throws -> [KeyValue] {
    let cap = limit > 0 ? Int(limit) : Int.max
    var unchanged: [KeyEntry] = []
    keys.tree.forEach(in: range) { entry in
      if revision.map({ entry.modRevision <= $0 }) ?? true { unchanged.append(entry) }
      return unchanged.count < cap
    }
    guard let revision else { return keysOnly ? unchanged.map { $0.keyValue() } : try withValues(unchanged) }
    var binds: [SQLValue] = []
    let keys = Self.bounds(range, column: "key", binds: &binds)
    let replaced = try connection.query(
      "\(Self.replaced(keys, at: revision, value: !keysOnly, binds: &binds)) ORDER BY 1\(Self.limit(limit))", binds,
      Self.keyValue)
    // Two disjoint lists in key order: merge them up to the limit.
    var merged: [KeyValue] = []
    var fromTree: (positions: [Int], entries: [KeyEntry]) = ([], [])
    var next = (tree: 0, log: 0)
    while merged.count < cap && (next.tree < unchanged.count || next.log < replaced.count) {
      if next.log == replaced.count
        || (next.tree < unchanged.count && KeyTree.compare(unchanged[next.tree].key, replaced[next.log].key) < 0)
      {
        fromTree.positions.append(merged.count)
        fromTree.entries.append(unchanged[next.tree])
        merged.append(unchanged[next.tree].keyValue())
        next.tree += 1
      } else {
        merged.append(replaced[next.log])
        next.log += 1
      }
    }
    if !keysOnly {
      let values = try withValues(fromTree.entries)
      for (position, kv) in zip(fromTree.positions, values) { merged[position].value = kv.value }
    }
    return merged
  }

  /// How many keys `range` holds as of `revision` (nil = the newest).
  func count(_ range: KeyRange, in keys: CurrentKeys, at revision: Int64?) throws -> Int64 {
    guard let revision else { return Int64(keys.tree.count(in: range)) }
    var unchanged: Int64 = 0
    keys.tree.forEach(in: range) { entry in
      if entry.modRevision <= revision { unchanged += 1 }
      return true
    }
    var binds: [SQLValue] = []
    let condition = Self.bounds(range, column: "key", binds: &binds)
    let sql = "SELECT COUNT(*) FROM (\(Self.replaced(condition, at: revision, value: false, binds: &binds))) s"
    return try unchanged + (connection.query(sql, binds).first?[0].int ?? 0)
  }

  /// `entries` with the values their log rows hold, in the same order: one statement, however
  /// many. A row that is missing means the index and the log disagree, which must not happen.
  func withValues(_ entries: [KeyEntry]) throws -> [KeyValue] {
    var kvs = entries.map { $0.keyValue() }
    var found = 0
    if entries.count == 1 {
      for row in try connection.query("SELECT value FROM skiff_revlog WHERE id = $1", [.int(entries[0].logID)]) {
        kvs[0].value = row[0].bytes
        found += 1
      }
    } else if !entries.isEmpty {
      let ids = "[\(entries.map { String($0.logID) }.joined(separator: ","))]"
      _ = try connection.query(
        "SELECT j.key, l.value FROM json_each($1) j JOIN skiff_revlog l ON l.id = j.value", [.text(ids)]
      ) { row in
        kvs[Int(row.int(0))].value = row.bytes(1)
        found += 1
      }
    }
    guard found == entries.count else {
      throw StoreError.unavailable("the key index points at \(entries.count - found) log rows that are gone")
    }
    return kvs
  }
}
