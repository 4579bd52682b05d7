import Foundation
import Store
import Testing

/// The stored schema version: written on open, an older one migrated, kept across reopens, and a
/// newer one refused with a message naming both versions — before anything is written.
@Suite struct SchemaVersionTests {
  static let backends: [Backend] = [.sqlite] + (Backend.postgresDSN == nil ? [] : [.postgres])

  @Test(arguments: backends) func recordsTheVersionAndRefusesANewerOne(_ backend: Backend) async throws {
    try await backend.withDatabase { driver in
      let log = try await RevisionLog.open(driver: driver)
      _ = try await log.put(PutRequest(key: Array("/registry/a".utf8), value: Array("1".utf8)))
      await log.close()
      #expect(try await stored("schema", driver) == 5)

      // Reopening at the same version keeps the data.
      let reopened = try await RevisionLog.open(driver: driver)
      #expect(try await reopened.range(RangeRequest(range: .key(Array("/registry/a".utf8)))).kvs.count == 1)
      await reopened.close()

      // A database from a future skiff: refused, data untouched.
      try await execute(driver, "UPDATE skiff_meta SET value = 7 WHERE name = 'schema'")
      await #expect {
        _ = try await RevisionLog.open(driver: driver)
      } throws: { error in
        let text = "\(error)"
        return text.contains("schema version 7") && text.contains("up to version 5")
          && text.contains("Downgrading is refused")
      }
      #expect(try await stored("schema", driver) == 7)
    }
  }

  /// A database written by an older skiff, built here table by table: version 1 (no version
  /// row, the log's key index) and version 2 keep every key, past revision and event.
  @Test(arguments: backends.flatMap { backend in [(backend, 1), (backend, 2)] })
  func migratesAnOlderLayoutWithItsHistory(_ backend: Backend, _ version: Int) async throws {
    try await backend.withDatabase { driver in
      let (blob, integer) = backend.kind == .sqlite ? ("BLOB", "INTEGER") : ("BYTEA", "BIGINT")
      // Revision 1 and 2 write /a, 3 writes /b, 4 deletes /b and creates /c (a two-row revision).
      try await execute(
        driver,
        "CREATE TABLE skiff_meta (name TEXT PRIMARY KEY, value \(integer) NOT NULL)",
        "INSERT INTO skiff_meta (name, value) VALUES ('rev', 4), ('compact', 0), ('swept', 0)",
        """
        CREATE TABLE skiff_kv (key \(blob) NOT NULL UNIQUE, value \(blob) NOT NULL, create_rev \(integer) NOT NULL,
          mod_rev \(integer) NOT NULL, version \(integer) NOT NULL, lease \(integer) NOT NULL)
        """,
        "CREATE INDEX skiff_kv_lease ON skiff_kv (lease) WHERE lease <> 0",
        """
        CREATE TABLE skiff_log (rev \(integer) NOT NULL, key \(blob) NOT NULL, deleted \(integer) NOT NULL,
          create_rev \(integer) NOT NULL, version \(integer) NOT NULL, lease \(integer) NOT NULL,
          value \(blob) NOT NULL, prev_rev \(integer) NOT NULL, UNIQUE (rev, key))
        """,
        version == 1
          ? "CREATE INDEX skiff_log_key ON skiff_log (key, rev)"
          : "INSERT INTO skiff_meta (name, value) VALUES ('schema', 2)",
        """
        INSERT INTO skiff_kv (key, value, create_rev, mod_rev, version, lease) VALUES
          (\(literal("/a", backend)), \(literal("2", backend)), 1, 2, 2, 0), (\(literal("/c", backend)), \(literal("c", backend)), 4, 4, 1, 0)
        """,
        """
        INSERT INTO skiff_log (rev, key, deleted, create_rev, version, lease, value, prev_rev) VALUES
          (1, \(literal("/a", backend)), 0, 1, 1, 0, \(literal("1", backend)), 0), (2, \(literal("/a", backend)), 0, 1, 2, 0, \(literal("2", backend)), 1),
          (3, \(literal("/b", backend)), 0, 3, 1, 0, \(literal("x", backend)), 0), (4, \(literal("/b", backend)), 1, 0, 0, 0, \(literal("", backend)), 3),
          (4, \(literal("/c", backend)), 0, 4, 1, 0, \(literal("c", backend)), 0)
        """)

      let log = try await RevisionLog.open(driver: driver, options: .testing)
      #expect(try await stored("schema", driver) == 5)
      func state(at revision: Int64) async throws -> [String] {
        try await log.range(RangeRequest(range: .prefix(Array("/".utf8)), revision: revision)).kvs.map {
          "\($0.keyString)=\($0.string)@\($0.createRevision)/\($0.modRevision)/v\($0.version)"
        }
      }
      #expect(try await state(at: 0) == ["/a=2@1/2/v2", "/c=c@4/4/v1"])
      #expect(try await state(at: 3) == ["/a=2@1/2/v2", "/b=x@3/3/v1"])
      #expect(try await state(at: 1) == ["/a=1@1/1/v1"])

      let events = try await collectEvents(log, .prefix(Array("/".utf8)), from: 2, through: 4).map {
        "\($0.kind) \($0.kv.keyString)@\($0.revision) prev=\($0.prevKV.map { "\($0.string)@\($0.modRevision)" } ?? "-")"
      }
      #expect(events == ["put /a@2 prev=1@1", "put /b@3 prev=-", "delete /b@4 prev=x@3", "put /c@4 prev=-"])

      // New writes continue the history: version, prev_kv and the revision after the old ones.
      let put = try await log.put(PutRequest(key: Array("/a".utf8), value: Array("3".utf8), prevKV: true))
      #expect(put.revision == 5 && put.prevKV?.string == "2")
      #expect(try await state(at: 0) == ["/a=3@1/5/v3", "/c=c@4/4/v1"])
      await log.close()
    }
  }

  /// Version 3 kept SQLite's current keys in `skiff_keys`; version 4 drops the table and rebuilds
  /// them from the log at every start. A stale table (here: wrong on purpose) must not be read.
  @Test func rebuildsSQLiteKeysFromTheLog() async throws {
    try await Backend.sqlite.withDatabase { driver in
      let log = try await RevisionLog.open(driver: driver, options: .testing)
      let lease = try await log.grantLease(ttl: 600).id
      for (key, value) in [("/a", "1"), ("/b", "x"), ("/a", "2"), ("/c", "c")] {
        _ = try await log.put(
          PutRequest(key: Array(key.utf8), value: Array(value.utf8), lease: key == "/c" ? lease : 0))
      }
      _ = try await log.delete(DeleteRequest(range: .key(Array("/b".utf8))))
      await log.close()
      try await execute(
        driver,
        """
        CREATE TABLE skiff_keys (key BLOB PRIMARY KEY, log_id INTEGER NOT NULL, create_rev INTEGER NOT NULL,
          mod_rev INTEGER NOT NULL, version INTEGER NOT NULL, lease INTEGER NOT NULL) WITHOUT ROWID
        """,
        "INSERT INTO skiff_keys VALUES (X'2f62', 0, 1, 1, 1, 0)",
        "UPDATE skiff_meta SET value = 3 WHERE name = 'schema'")

      let reopened = try await RevisionLog.open(driver: driver, options: .testing)
      #expect(try await stored("schema", driver) == 5)
      let kvs = try await reopened.range(RangeRequest(range: .prefix(Array("/".utf8)))).kvs.map {
        "\($0.keyString)=\($0.string)@\($0.createRevision)/\($0.modRevision)/v\($0.version)"
      }
      #expect(kvs == ["/a=2@1/3/v2", "/c=c@4/4/v1"])
      #expect(try await reopened.leaseInfo(lease, keys: true).keys == [Array("/c".utf8)])
      #expect(try await reopened.put(PutRequest(key: Array("/a".utf8), value: Array("3".utf8))).revision == 6)
      await reopened.close()
      await #expect(throws: StoreError.self) { try await execute(driver, "SELECT 1 FROM skiff_keys") }
    }
  }

  /// From version 5 SQLite's writer leaves the counter row alone and counts on from the newest log
  /// row (one page less per commit). Revisions still go on with no gap or repeat across a reopen,
  /// also after a compaction swept everything below a newest row that is a tombstone.
  @Test func sqliteCountsRevisionsFromTheLog() async throws {
    try await Backend.sqlite.withDatabase { driver in
      let log = try await RevisionLog.open(driver: driver, options: .testing)
      for value in ["1", "2", "3"] {
        _ = try await log.put(PutRequest(key: Array("/a".utf8), value: Array(value.utf8)))
      }
      #expect(try await log.delete(DeleteRequest(range: .key(Array("/a".utf8)))).revision == 4)
      try await log.compact(4, physical: true)
      #expect(try await log.headRevision() == 4)
      await log.close()
      #expect(try await stored("rev", driver) == 0)

      let reopened = try await RevisionLog.open(driver: driver, options: .testing)
      #expect(try await reopened.headRevision() == 4)
      #expect(try await reopened.put(PutRequest(key: Array("/b".utf8), value: Array("x".utf8))).revision == 5)
      #expect(try await reopened.range(RangeRequest(range: .prefix(Array("/".utf8)))).revision == 5)
      await reopened.close()
    }
  }

  /// `text` as a blob literal of `backend`'s dialect.
  private func literal(_ text: String, _ backend: Backend) -> String {
    let hex = text.utf8.map { String(format: "%02x", $0) }.joined()
    return backend.kind == .sqlite ? "X'\(hex)'" : "'\\x\(hex)'::bytea"
  }

  private func execute(_ driver: any SQLDriver, _ statements: String...) async throws {
    try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      for statement in statements { try connection.execute(statement) }
    }
  }

  /// The value of row `name` in `skiff_meta`.
  private func stored(_ name: String, _ driver: any SQLDriver) async throws -> Int64? {
    try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      guard
        case .int(let value)? = try connection.query("SELECT value FROM skiff_meta WHERE name = $1", [.text(name)])
          .first?[0]
      else { return nil }
      return value
    }
  }
}
