/// The datastore layout's version, kept in `skiff_meta` so that an upgraded skiff migrates an
/// old database forward and an older skiff refuses one it cannot read instead of corrupting it.
enum SchemaVersion {
  /// The layout this build writes. Databases from before versioning have the version-1 layout.
  static let current: Int64 = 5

  /// Run by each driver's schema right after creating `skiff_meta`: a database whose meta table is
  /// still empty is new, and gets the current layout, so no migration runs on it.
  static let stampNewDatabase =
    "INSERT INTO skiff_meta (name, value) SELECT 'schema', \(current) WHERE NOT EXISTS (SELECT 1 FROM skiff_meta)"

  /// The statements that take a database from version `n` to `n + 1`; run in the schema
  /// transaction, after the driver's schema has created the current tables. `keysInMemory`: the
  /// driver keeps the current keys in memory (`KeyIndex`), not in `skiff_keys`.
  static func migration(from n: Int64, keysInMemory: Bool) -> [String] {
    switch n {
    // 1 → 2: past revisions are read from the newer log rows (`LogSession.snapshot`), not by key.
    case 1: return ["DROP INDEX IF EXISTS skiff_log_key"]
    // 2 → 3: each value is stored once, in its log row (`skiff_revlog`, ordered by `LogRowID`);
    // the current keys point at it. Rows of one revision are numbered in key order, the order
    // they were written and read back in before.
    case 2: return [fillLog] + (keysInMemory ? [] : [fillKeys]) + ["DROP TABLE skiff_kv", "DROP TABLE skiff_log"]
    // 3 → 4: a private database's current keys are rebuilt from the log at start.
    case 3: return keysInMemory ? ["DROP TABLE IF EXISTS skiff_keys"] : []
    // 4 → 5: a private database's counter row may trail its newest log row
    // (`WriteBatch.countsRevisions`); an older skiff, which trusts the counter, must refuse it.
    default: return []
    }
  }

  private static let fillLog = """
    WITH n AS (SELECT rev, key, rev * \(LogRowID.rowsPerRevision)
      + ROW_NUMBER() OVER (PARTITION BY rev ORDER BY key) - 1 AS id FROM skiff_log)
    INSERT INTO skiff_revlog (id, rev, key, deleted, create_rev, version, lease, value, prev_id)
    SELECT n.id, l.rev, l.key, l.deleted, l.create_rev, l.version, l.lease, l.value, COALESCE(p.id, 0)
    FROM skiff_log l JOIN n ON n.rev = l.rev AND n.key = l.key
    LEFT JOIN n p ON p.rev = l.prev_rev AND p.key = l.key
    """

  private static let fillKeys = """
    INSERT INTO skiff_keys (key, log_id, create_rev, mod_rev, version, lease)
    SELECT k.key, l.id, k.create_rev, k.mod_rev, k.version, k.lease FROM skiff_kv k
    JOIN skiff_revlog l ON l.id >= k.mod_rev * \(LogRowID.rowsPerRevision)
      AND l.id < (k.mod_rev + 1) * \(LogRowID.rowsPerRevision) AND l.key = k.key
    """

  /// Checks and migrates the stored version inside the open write transaction.
  static func upgrade(_ connection: SQLConnection, keysInMemory: Bool) throws {
    let stored = try connection.query("SELECT value FROM skiff_meta WHERE name = 'schema'", []).first?[0].int ?? 1
    guard stored <= current else { throw StoreError.schemaTooNew(found: stored, supported: current) }
    for version in stored..<current {
      for statement in migration(from: version, keysInMemory: keysInMemory) { try connection.execute(statement) }
    }
    try connection.execute(
      """
      INSERT INTO skiff_meta (name, value) VALUES ('schema', \(current))
      ON CONFLICT (name) DO UPDATE SET value = excluded.value
      """)
  }
}
