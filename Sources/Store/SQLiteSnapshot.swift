import CSQLite
import Foundation

/// Online snapshots of the embedded datastore (`skiff etcd-snapshot`) and their restore
/// (`skiff server --cluster-reset-restore-path`). A snapshot is a plain SQLite file copied with
/// the backup API in one step: one read transaction, so it is consistent, and in WAL mode the
/// running server keeps writing meanwhile.
public enum SQLiteSnapshot {
  /// What a snapshot holds, read from its own tables.
  public struct Info: Sendable, Equatable {
    public var revision: Int64
    public var keys: Int64
    public var schema: Int64
  }

  /// Copies `database` to `file` (created 0600; must not exist) and checks the copy.
  @discardableResult
  public static func save(database: String, to file: String) throws -> Info {
    guard FileManager.default.fileExists(atPath: database) else {
      throw StoreError.invalid("no datastore at \(database); is this a server's data dir?")
    }
    guard !FileManager.default.fileExists(atPath: file) else {
      throw StoreError.invalid("snapshot \(file) already exists")
    }
    let source = try open(database, flags: SQLITE_OPEN_READONLY)
    defer { sqlite3_close_v2(source) }
    sqlite3_busy_timeout(source, 5000)
    let fd = Foundation.open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw StoreError.invalid("cannot create \(file): \(String(cString: strerror(errno)))") }
    close(fd)
    do {
      let target = try open(file, flags: SQLITE_OPEN_READWRITE)
      defer { sqlite3_close_v2(target) }
      guard let backup = sqlite3_backup_init(target, "main", source, "main") else {
        throw StoreError.unavailable("snapshot of \(database) failed: \(message(target))")
      }
      let step = sqlite3_backup_step(backup, -1)
      let finish = sqlite3_backup_finish(backup)
      guard step == SQLITE_DONE, finish == SQLITE_OK else {
        throw StoreError.unavailable("snapshot of \(database) failed: \(message(target))")
      }
      // A snapshot is one self-contained file: no WAL beside it.
      try execute(target, "PRAGMA journal_mode = DELETE")
      return try inspect(target, file)
    } catch {
      unlink(file)
      throw error
    }
  }

  /// Checks that `file` is a skiff datastore this build can read, and what it holds.
  public static func verify(_ file: String) throws -> Info {
    let db = try open(file, flags: SQLITE_OPEN_READONLY)
    defer { sqlite3_close_v2(db) }
    return try inspect(db, file)
  }

  /// Replaces `database` with `file`, keeping the current database (and its WAL) beside it as
  /// `<database>.before-restore-<unix time>`; returns that path. The server must be stopped.
  public static func restore(_ file: String, database: String, now: Date = Date()) throws -> String {
    let info = try verify(file)
    guard info.schema <= SchemaVersion.current else {
      throw StoreError.schemaTooNew(found: info.schema, supported: SchemaVersion.current)
    }
    let aside = "\(database).before-restore-\(Int64(now.timeIntervalSince1970))"
    let manager = FileManager.default
    try manager.createDirectory(
      atPath: (database as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    for suffix in ["", "-wal", "-shm"] where manager.fileExists(atPath: database + suffix) {
      try manager.moveItem(atPath: database + suffix, toPath: aside + suffix)
    }
    let staged = database + ".restoring"
    try? manager.removeItem(atPath: staged)
    try manager.copyItem(atPath: file, toPath: staged)
    chmod(staged, 0o600)
    guard rename(staged, database) == 0 else {
      throw StoreError.invalid("cannot move the snapshot into place: \(String(cString: strerror(errno)))")
    }
    return aside
  }

  private static func inspect(_ db: OpaquePointer, _ file: String) throws -> Info {
    func value(_ sql: String) throws -> Int64? {
      var statement: OpaquePointer?
      guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
        throw StoreError.invalid("\(file) is not a skiff datastore snapshot (\(message(db)))")
      }
      defer { sqlite3_finalize(statement) }
      return sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : nil
    }
    guard var revision = try value("SELECT value FROM skiff_meta WHERE name = 'rev'") else {
      throw StoreError.invalid("\(file) is not a skiff datastore snapshot (no revision)")
    }
    let schema = try value("SELECT value FROM skiff_meta WHERE name = 'schema'") ?? 1
    // From version 5 the counter may trail the newest log row (`WriteBatch.countsRevisions`).
    if schema >= 5, let newest = try value(LogSession.newestRowRevision) {
      revision = max(revision, newest)
    }
    // Snapshots from before schema 3 keep their keys in skiff_kv, and from schema 4 only the log
    // has them; opening one migrates it.
    let keys: String =
      switch schema {
      case ..<3: "skiff_kv"
      case 3: "skiff_keys"
      default: "(\(KeyIndex.currentRows))"
      }
    let count = try value("SELECT count(*) FROM \(keys)") ?? 0
    return Info(revision: revision, keys: count, schema: schema)
  }

  private static func open(_ path: String, flags: Int32) throws -> OpaquePointer {
    var db: OpaquePointer?
    guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
      let text = db.map { message($0) } ?? "out of memory"
      sqlite3_close_v2(db)
      throw StoreError.invalid("cannot open \(path): \(text)")
    }
    return db
  }

  private static func execute(_ db: OpaquePointer, _ sql: String) throws {
    guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
      throw StoreError.unavailable("\(sql) failed: \(message(db))")
    }
  }

  private static func message(_ db: OpaquePointer) -> String { String(cString: sqlite3_errmsg(db)) }
}
