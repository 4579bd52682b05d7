/// The datastore layout's version, kept in `skiff_meta` so that an upgraded skiff migrates an
/// old database forward and an older skiff refuses one it cannot read instead of corrupting it.
enum SchemaVersion {
  /// The layout this build writes. Databases from before versioning have the version-1 layout.
  static let current: Int64 = 2

  /// Steps from version `n` to `n + 1`, indexed by `n - 1`; run in the schema transaction.
  static let migrations: [[String]] = [
    // 1 → 2: past revisions are read from the newer log rows (`LogSession.snapshot`), not by key.
    ["DROP INDEX IF EXISTS skiff_log_key"]
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
