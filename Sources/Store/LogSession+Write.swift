/// Statements that change the log; run only by the writer, inside its write transaction.
extension LogSession {
  /// Takes the next revision. The counter row stays locked until COMMIT, so revisions commit in
  /// order with no gaps even with several servers on one PostgreSQL, and a rollback returns it.
  func nextRevision() throws -> Int64 {
    guard
      let row = try connection.query(
        "UPDATE skiff_meta SET value = value + 1 WHERE name = 'rev' RETURNING value", []
      ).first
    else { throw StoreError.unavailable("revision counter missing from skiff_meta") }
    return row[0].int
  }

  /// Sets the revision counter (the writer takes a transaction's later revisions in memory).
  func setRevision(_ revision: Int64) throws {
    try connection.query("UPDATE skiff_meta SET value = $1 WHERE name = 'rev'", [.int(revision)])
  }

  func setCompactRevision(_ revision: Int64) throws {
    try connection.query("UPDATE skiff_meta SET value = $1 WHERE name = 'compact'", [.int(revision)])
  }

  /// Logs the new version of a key as row `id` and points the key at it.
  func writePut(_ kv: KeyValue, id: Int64) throws {
    if let keys {
      // A failed append rolls the batch back, and its draft of the keys with it.
      let previous = keys.upsert(KeyEntry(kv, logID: id))
      try appendLog(kv, id: id, deleted: false, previous: previous?.logID ?? 0)
      return
    }
    try appendLog(kv, id: id, deleted: false)
    try connection.query(
      """
      INSERT INTO skiff_keys (key, log_id, create_rev, mod_rev, version, lease) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (key) DO UPDATE SET log_id = excluded.log_id, create_rev = excluded.create_rev,
        mod_rev = excluded.mod_rev, version = excluded.version, lease = excluded.lease
      """,
      [.blob(kv.key), .int(id), .int(kv.createRevision), .int(kv.modRevision), .int(kv.version), .int(kv.lease)])
  }

  /// Logs a key's tombstone as row `id` and removes the key.
  func writeDelete(_ key: [UInt8], id: Int64) throws {
    let tombstone = KeyValue(key: key, modRevision: LogRowID.revision(of: id))
    if let keys {
      try appendLog(tombstone, id: id, deleted: true, previous: keys.remove(key)?.logID ?? 0)
      return
    }
    try appendLog(tombstone, id: id, deleted: true)
    try connection.query("DELETE FROM skiff_keys WHERE key = $1", [.blob(key)])
  }

  /// Deletes every key in `range`, logging a tombstone for each from row `firstID` on, in key
  /// order. With the keys in a table it uses set-based statements that load no rows: for deletes
  /// too large to carry through memory.
  func writeBulkDelete(_ range: KeyRange, firstID: Int64) throws {
    let revision = LogRowID.revision(of: firstID)
    if let keys {
      var doomed: [KeyEntry] = []
      keys.tree.forEach(in: range) { entry in
        doomed.append(entry)
        return true
      }
      for (offset, entry) in doomed.enumerated() {
        keys.remove(entry.key)
        let tombstone = KeyValue(key: entry.key, modRevision: revision)
        try appendLog(tombstone, id: firstID + Int64(offset), deleted: true, previous: entry.logID)
      }
      return
    }
    var binds: [SQLValue] = [.int(revision), .int(firstID), .blob([])]
    let bounds = Self.bounds(range, column: "key", binds: &binds)
    try connection.query(
      """
      INSERT INTO skiff_revlog (id, rev, key, deleted, create_rev, version, lease, value, prev_id)
      SELECT $2 + ROW_NUMBER() OVER (ORDER BY key) - 1, $1, key, 1, 0, 0, 0, $3, log_id
      FROM skiff_keys WHERE \(bounds)
      """, binds)
    var deleteBinds: [SQLValue] = []
    try connection.query(
      "DELETE FROM skiff_keys WHERE \(Self.bounds(range, column: "key", binds: &deleteBinds))", deleteBinds)
  }

  /// Appends log row `id`, pointing back at the key's current row: `previous`, or the one
  /// skiff_keys holds when nil.
  private func appendLog(_ kv: KeyValue, id: Int64, deleted: Bool, previous: Int64? = nil) throws {
    var binds: [SQLValue] = [
      .int(id), .int(kv.modRevision), .blob(kv.key), .int(deleted ? 1 : 0), .int(kv.createRevision),
      .int(kv.version), .int(kv.lease), .blob(kv.value),
    ]
    if let previous { binds.append(.int(previous)) }
    try connection.query(previous == nil ? Self.appendLooksUpPrevious : Self.append, binds)
  }

  private static let append = """
    INSERT INTO skiff_revlog (id, rev, key, deleted, create_rev, version, lease, value, prev_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    """
  private static let appendLooksUpPrevious = """
    INSERT INTO skiff_revlog (id, rev, key, deleted, create_rev, version, lease, value, prev_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE((SELECT log_id FROM skiff_keys WHERE key = $3), 0))
    """

  // MARK: Leases

  func insertLease(id: Int64, ttl: Int64, expires: Int64) throws {
    try connection.query(
      "INSERT INTO skiff_lease (id, ttl, expires) VALUES ($1, $2, $3)", [.int(id), .int(ttl), .int(expires)])
  }

  /// Pushes a lease's expiry out; returns its TTL, or nil when it is gone.
  func renewLease(id: Int64, now: Int64) throws -> Int64? {
    try connection.query(
      "UPDATE skiff_lease SET expires = $2 + ttl * 1000 WHERE id = $1 AND expires > $2 RETURNING ttl",
      [.int(id), .int(now)]
    ).first?[0].int
  }

  /// Deletes the lease row; `expiredBy` restricts it to a lease that has expired by then, so
  /// servers racing to expire the same lease do it once.
  func removeLease(id: Int64, expiredBy: Int64?) throws -> Bool {
    let rows: [[SQLValue]]
    if let expiredBy {
      rows = try connection.query(
        "DELETE FROM skiff_lease WHERE id = $1 AND expires <= $2 RETURNING id", [.int(id), .int(expiredBy)])
    } else {
      rows = try connection.query("DELETE FROM skiff_lease WHERE id = $1 RETURNING id", [.int(id)])
    }
    return !rows.isEmpty
  }

  // MARK: Compaction

  /// Physical compaction of the log rows after row `after` up to row `through` inclusive, all of
  /// revisions `<= compact`: each row there supersedes its predecessor, which no read at or above
  /// `compact` can see, and tombstones below `compact` hide nothing. Rows at `compact` stay so a
  /// watch may start there. Both statements read their rows before deleting, so a predecessor
  /// inside the range still has its own predecessor removed.
  func sweep(after: Int64, through: Int64, compact: Int64) throws {
    let range: [SQLValue] = [.int(after), .int(through)]
    try connection.query(
      """
      DELETE FROM skiff_revlog WHERE id IN (SELECT prev_id FROM skiff_revlog
        WHERE id > $1 AND id <= $2 AND prev_id > 0)
      """, range)
    try connection.query(
      "DELETE FROM skiff_revlog WHERE id > $1 AND id <= $2 AND rev < $3 AND deleted = 1", range + [.int(compact)])
  }

  /// Records that every revision up to `revision` has been swept.
  func setSweptRevision(_ revision: Int64) throws {
    try connection.query("UPDATE skiff_meta SET value = $1 WHERE name = 'swept'", [.int(revision)])
  }
}
