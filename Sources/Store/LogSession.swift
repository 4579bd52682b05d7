/// The queries the revision log runs, shared by every driver. A session wraps one connection
/// inside one transaction; reads see one snapshot.
struct LogSession {
  let connection: SQLConnection
  /// The current keys, when this process keeps them in memory (`KeyIndex`); nil when they are
  /// read from the table `skiff_keys`.
  var keys: CurrentKeys? = nil

  // MARK: Revisions

  /// The newest revision and the compacted one, read in the session's snapshot. The newest is the
  /// counter row's or the newest log row's, whichever is higher: a private database's writer
  /// leaves the counter behind (`WriteBatch.takeRevision`), and the newest row outlives every
  /// compaction (`sweep` keeps rows at or above the compacted revision and every latest version).
  func revisions() throws -> (current: Int64, compact: Int64) {
    guard let row = try connection.query(Self.revisionsQuery, []).first else { return (0, 0) }
    return (max(row[0].int, row[2].int), row[1].int)
  }

  /// The newest log row's revision (none in an empty log).
  static let newestRowRevision = "SELECT rev FROM skiff_revlog ORDER BY id DESC LIMIT 1"

  private static let revisionsQuery = """
    SELECT (SELECT value FROM skiff_meta WHERE name = 'rev'), (SELECT value FROM skiff_meta WHERE name = 'compact'),
      (\(newestRowRevision))
    """

  // MARK: Keys

  func get(_ key: [UInt8]) throws -> KeyValue? {
    if let keys { return try keys.tree.find(key).map { try withValues([$0])[0] } }
    return try connection.query(Self.current("key = $1", value: true), [.blob(key)]).first.map(Self.keyValue)
  }

  /// Keys in `range` as of `revision` (nil = the newest), in key order.
  func range(_ range: KeyRange, at revision: Int64?, limit: Int64, keysOnly: Bool = false) throws -> [KeyValue] {
    if let keys { return try self.range(range, in: keys, at: revision, limit: limit, keysOnly: keysOnly) }
    var binds: [SQLValue] = []
    let rows =
      if let revision {
        Self.snapshot(range, at: revision, value: !keysOnly, binds: &binds)
      } else {
        Self.current(Self.bounds(range, column: "key", binds: &binds), value: !keysOnly)
      }
    let sql = "\(rows) ORDER BY key\(Self.limit(limit))"
    return try connection.query(sql, binds, Self.keyValue)
  }

  /// How many keys `range` holds as of `revision` (nil = the newest).
  func count(_ range: KeyRange, at revision: Int64?) throws -> Int64 {
    if let keys { return try self.count(range, in: keys, at: revision) }
    var binds: [SQLValue] = []
    let sql =
      if let revision {
        "SELECT COUNT(*) FROM (\(Self.snapshot(range, at: revision, value: false, binds: &binds))) s"
      } else {
        "SELECT COUNT(*) FROM skiff_keys WHERE \(Self.bounds(range, column: "key", binds: &binds))"
      }
    return try connection.query(sql, binds).first?[0].int ?? 0
  }

  // MARK: Events

  /// Log entries in `range` with `after < rev <= through`, in the order they were written, each
  /// with the value it replaced when that is still retained. The range is applied in SQL, so a
  /// watcher reading past a large range delete of other keys reads none of their values.
  func events(after: Int64, through: Int64, in range: KeyRange) throws -> [WatchEvent] {
    var binds: [SQLValue] = [.int(LogRowID.first(of: after + 1)), .int(LogRowID.first(of: through + 1))]
    let keys = Self.bounds(range, column: "l.key", binds: &binds)
    let rows = try connection.query(
      """
      SELECT l.rev, l.key, l.deleted, l.create_rev, l.version, l.lease, l.value,
        p.rev, p.create_rev, p.version, p.lease, p.value
      FROM skiff_revlog l LEFT JOIN skiff_revlog p ON p.id = l.prev_id
      WHERE l.id >= $1 AND l.id < $2 AND \(keys) ORDER BY l.id
      """, binds)
    return rows.map { row in
      let key = row[1].bytes
      let deleted = row[2].int != 0
      let kv =
        deleted
        ? KeyValue(key: key, modRevision: row[0].int)
        : KeyValue(
          key: key, value: row[6].bytes, createRevision: row[3].int, modRevision: row[0].int,
          version: row[4].int, lease: row[5].int)
      let prev: KeyValue? =
        row[7] == .null
        ? nil
        : KeyValue(
          key: key, value: row[11].bytes, createRevision: row[8].int, modRevision: row[7].int,
          version: row[9].int, lease: row[10].int)
      return WatchEvent(kind: deleted ? .delete : .put, kv: kv, prevKV: prev)
    }
  }

  // MARK: Leases

  /// The lease's granted TTL and expiry time (ms), or nil when it does not exist.
  func lease(_ id: Int64) throws -> (ttl: Int64, expires: Int64)? {
    try connection.query("SELECT ttl, expires FROM skiff_lease WHERE id = $1", [.int(id)]).first.map {
      ($0[0].int, $0[1].int)
    }
  }

  func leaseIDs() throws -> [Int64] {
    try connection.query("SELECT id FROM skiff_lease ORDER BY id", []).map { $0[0].int }
  }

  func expiredLeases(now: Int64, limit: Int) throws -> [Int64] {
    try connection.query(
      "SELECT id FROM skiff_lease WHERE expires <= $1 ORDER BY expires LIMIT \(limit)", [.int(now)]
    ).map { $0[0].int }
  }

  func keys(attachedTo lease: Int64) throws -> [[UInt8]] {
    if let keys {
      var attached: [[UInt8]] = []
      keys.tree.forEach(in: .all) { entry in
        if entry.lease == lease { attached.append(entry.key) }
        return true
      }
      return attached
    }
    return try connection.query("SELECT key FROM skiff_keys WHERE lease = $1 ORDER BY key", [.int(lease)]).map {
      $0[0].bytes
    }
  }

  /// The revision up to which compacted rows were already removed.
  func sweptRevision() throws -> Int64 {
    try connection.query("SELECT value FROM skiff_meta WHERE name = 'swept'", []).first?[0].int ?? 0
  }

  /// The id of the log row `rows` rows after row `after` (or of the last one) with a revision
  /// `<= through`; nil when there is none: where the next sweep batch ends.
  func sweepBatchEnd(after: Int64, through: Int64, rows: Int) throws -> Int64? {
    let bounds: [SQLValue] = [.int(after), .int(LogRowID.first(of: through + 1))]
    let row =
      try connection.query(
        "SELECT id FROM skiff_revlog WHERE id > $1 AND id < $2 ORDER BY id LIMIT 1 OFFSET $3",
        bounds + [.int(Int64(rows - 1))]
      ).first
      ?? connection.query(
        "SELECT id FROM skiff_revlog WHERE id > $1 AND id < $2 ORDER BY id DESC LIMIT 1", bounds
      ).first
    return row?[0].int
  }

  // MARK: SQL building

  static func keyValue(_ row: any SQLRow) -> KeyValue {
    KeyValue(
      key: row.bytes(0), value: row.bytes(1), createRevision: row.int(2), modRevision: row.int(3),
      version: row.int(4), lease: row.int(5))
  }

  /// The current keys matching `filter` (a condition on skiff_keys' columns), with their values
  /// from the log rows they point at when `value` is set.
  static func current(_ filter: String, value: Bool) -> String {
    guard value else {
      return "SELECT key, NULL AS value, create_rev, mod_rev, version, lease FROM skiff_keys WHERE \(filter)"
    }
    return """
      SELECT k.key AS key, l.value AS value, k.create_rev, k.mod_rev, k.version, k.lease
      FROM (SELECT key, log_id, create_rev, mod_rev, version, lease FROM skiff_keys WHERE \(filter)) k
      JOIN skiff_revlog l ON l.id = k.log_id
      """
  }

  /// The rows of `range` as they stood at `revision`, unordered: the keys unchanged since then,
  /// still current in skiff_keys, and the `replaced` ones.
  static func snapshot(_ range: KeyRange, at revision: Int64, value: Bool, binds: inout [SQLValue]) -> String {
    binds.append(.int(revision))
    let rev = "$\(binds.count)"
    let keys = bounds(range, column: "key", binds: &binds)
    return """
      \(current("\(keys) AND mod_rev <= \(rev)", value: value))
      UNION ALL
      \(replaced(keys, at: revision, value: value, binds: &binds))
      """
  }

  /// The keys matching `keys` (a condition on `key`) that changed after `revision`, as they stood
  /// then: the first change after `revision` points back (prev_id) at the version it replaced, or
  /// at none when the key did not exist. Only log rows newer than `revision` are read, so the log
  /// needs no index by key: one random index page fewer written per put.
  static func replaced(_ keys: String, at revision: Int64, value: Bool, binds: inout [SQLValue]) -> String {
    binds.append(.int(LogRowID.first(of: revision + 1)))
    return """
      SELECT p.key, \(value ? "p.value" : "NULL"), p.create_rev, p.rev, p.version, p.lease
      FROM (SELECT MIN(id) AS id FROM skiff_revlog WHERE id >= $\(binds.count) AND \(keys) GROUP BY key) f
      JOIN skiff_revlog e ON e.id = f.id
      JOIN skiff_revlog p ON p.id = e.prev_id
      """
  }

  /// The WHERE clause selecting `range` on `column`, appending its parameters to `binds`.
  static func bounds(_ range: KeyRange, column: String, binds: inout [SQLValue]) -> String {
    binds.append(.blob(range.start))
    let start = "$\(binds.count)"
    if range.isSingleKey { return "\(column) = \(start)" }
    if range.isOpenEnded { return "\(column) >= \(start)" }
    binds.append(.blob(range.end))
    return "\(column) >= \(start) AND \(column) < $\(binds.count)"
  }

  static func limit(_ limit: Int64) -> String { limit > 0 ? " LIMIT \(limit)" : "" }
}
