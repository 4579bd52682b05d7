/// The datastore layout's version, kept in `skiff_meta` so that an upgraded skiff migrates an
/// old database forward and an older skiff refuses one it cannot read instead of corrupting it.
enum SchemaVersion {
  /// The layout this build writes. Databases from before versioning have the version-1 layout.
  static let current: Int64 = 3

  /// Run by each driver's schema right after creating `skiff_meta`: a database whose meta table is
  /// still empty is new, and gets the current layout, so no migration runs on it.
  static let stampNewDatabase =
    "INSERT INTO skiff_meta (name, value) SELECT 'schema', \(current) WHERE NOT EXISTS (SELECT 1 FROM skiff_meta)"

  /// Steps from version `n` to `n + 1`, indexed by `n - 1`; run in the schema transaction, after
  /// the driver's schema has created the current tables.
  static let migrations: [[String]] = [
    // 1 → 2: past revisions are read from the newer log rows (`LogSession.snapshot`), not by key.
    ["DROP INDEX IF EXISTS skiff_log_key"],
    // 2 → 3: each value is stored once, in its log row (`skiff_revlog`, ordered by `LogRowID`);
    // the current keys (`skiff_keys`) point at it. Rows of one revision are numbered in key order,
    // the order they were written and read back in before.
    [
      """
      WITH n AS (SELECT rev, key, rev * \(LogRowID.rowsPerRevision)
        + ROW_NUMBER() OVER (PARTITION BY rev ORDER BY key) - 1 AS id FROM skiff_log)
      INSERT INTO skiff_revlog (id, rev, key, deleted, create_rev, version, lease, value, prev_id)
      SELECT n.id, l.rev, l.key, l.deleted, l.create_rev, l.version, l.lease, l.value, COALESCE(p.id, 0)
      FROM skiff_log l JOIN n ON n.rev = l.rev AND n.key = l.key
      LEFT JOIN n p ON p.rev = l.prev_rev AND p.key = l.key
      """,
      """
      INSERT INTO skiff_keys (key, log_id, create_rev, mod_rev, version, lease)
      SELECT k.key, l.id, k.create_rev, k.mod_rev, k.version, k.lease FROM skiff_kv k
      JOIN skiff_revlog l ON l.id >= k.mod_rev * \(LogRowID.rowsPerRevision)
        AND l.id < (k.mod_rev + 1) * \(LogRowID.rowsPerRevision) AND l.key = k.key
      """,
      "DROP TABLE skiff_kv",
      "DROP TABLE skiff_log",
    ],
  ]

  /// Checks and migrates the stored version inside the open write transaction.
  static func upgrade(_ connection: SQLConnection) throws {
    let stored = try connection.query("SELECT value FROM skiff_meta WHERE name = 'schema'", []).first?[0].int ?? 1
    guard stored <= current else { throw StoreError.schemaTooNew(found: stored, supported: current) }
    for step in migrations.dropFirst(Int(stored) - 1).prefix(Int(current - stored)) {
      for statement in step { try connection.execute(statement) }
    }
    try connection.execute(
      """
      INSERT INTO skiff_meta (name, value) VALUES ('schema', \(current))
      ON CONFLICT (name) DO UPDATE SET value = excluded.value
      """)
  }
}
