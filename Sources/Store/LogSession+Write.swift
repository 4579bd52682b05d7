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

  func setCompactRevision(_ revision: Int64) throws {
    try connection.query("UPDATE skiff_meta SET value = $1 WHERE name = 'compact'", [.int(revision)])
  }

  /// Stores the new version of a key and logs it.
  func writePut(_ kv: KeyValue, previous: KeyValue?) throws {
    try connection.query(
      """
      INSERT INTO skiff_kv (key, value, create_rev, mod_rev, version, lease) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, create_rev = excluded.create_rev,
        mod_rev = excluded.mod_rev, version = excluded.version, lease = excluded.lease
      """,
      [.blob(kv.key), .blob(kv.value), .int(kv.createRevision), .int(kv.modRevision), .int(kv.version), .int(kv.lease)])
    try appendLog(kv, deleted: false, previousRevision: previous?.modRevision ?? 0)
  }

  /// Removes a key and logs the tombstone.
  func writeDelete(_ previous: KeyValue, revision: Int64) throws {
    try connection.query("DELETE FROM skiff_kv WHERE key = $1", [.blob(previous.key)])
    try appendLog(
      KeyValue(key: previous.key, modRevision: revision), deleted: true, previousRevision: previous.modRevision)
  }

  /// Deletes every key in `range` with set-based statements, logging a tombstone for each, without
  /// loading the rows: for deletes too large to carry through memory.
  func writeBulkDelete(_ range: KeyRange, revision: Int64) throws {
    var binds: [SQLValue] = [.int(revision), .blob([])]
    let bounds = Self.bounds(range, column: "key", binds: &binds)
    try connection.query(
      """
      INSERT INTO skiff_log (rev, key, deleted, create_rev, version, lease, value, prev_rev)
      SELECT $1, key, 1, 0, 0, 0, $2, mod_rev FROM skiff_kv WHERE \(bounds)
      """, binds)
    var deleteBinds: [SQLValue] = []
    try connection.query(
      "DELETE FROM skiff_kv WHERE \(Self.bounds(range, column: "key", binds: &deleteBinds))", deleteBinds)
  }

  private func appendLog(_ kv: KeyValue, deleted: Bool, previousRevision: Int64) throws {
    try connection.query(
      """
      INSERT INTO skiff_log (rev, key, deleted, create_rev, version, lease, value, prev_rev)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      """,
      [
        .int(kv.modRevision), .blob(kv.key), .int(deleted ? 1 : 0), .int(kv.createRevision), .int(kv.version),
        .int(kv.lease), .blob(kv.value), .int(previousRevision),
      ])
  }

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

  /// Physical compaction of the log rows from just after `lower` (a `(rev, key)` position) up to
  /// `upper` inclusive, all within revisions `<= compact`: each row there supersedes its
  /// predecessor, which no read at or above `compact` can see, and tombstones below `compact` hide
  /// nothing. Rows at `compact` stay so a watch may start there. Both statements read their rows
  /// before deleting, so a predecessor inside the range still has its own predecessor removed.
  func sweep(after lower: LogPosition, through upper: LogPosition, compact: Int64) throws {
    let range: [SQLValue] = [.int(lower.revision), .blob(lower.key), .int(upper.revision), .blob(upper.key)]
    try connection.query(
      """
      DELETE FROM skiff_log WHERE (rev, key) IN (SELECT prev_rev, key FROM skiff_log
        WHERE (rev, key) > ($1, $2) AND (rev, key) <= ($3, $4) AND prev_rev > 0)
      """, range)
    try connection.query(
      "DELETE FROM skiff_log WHERE (rev, key) > ($1, $2) AND (rev, key) <= ($3, $4) AND rev < $5 AND deleted = 1",
      range + [.int(compact)])
  }

  /// Records that every revision up to `revision` has been swept.
  func setSweptRevision(_ revision: Int64) throws {
    try connection.query("UPDATE skiff_meta SET value = $1 WHERE name = 'swept'", [.int(revision)])
  }
}
