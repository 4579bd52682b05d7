import CSQLite
import Foundation

/// The embedded datastore: one SQLite file in WAL mode, holding the log; the current keys are
/// kept in memory (`KeyIndex`).
///
/// `synchronous=FULL` fsyncs the WAL on every commit, so an acknowledged write survives both
/// `kill -9` and a power cut (on disks that honour flushes). Group commit in the writer keeps the
/// cost at one fsync per batch rather than per write.
public struct SQLiteDriver: SQLDriver {
  public let path: String
  public var name: String { "sqlite" }
  public var isShared: Bool { false }
  public var beginWrite: String { "BEGIN IMMEDIATE" }
  public var beginRead: String { "BEGIN" }

  public var sizeQuery: String { "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()" }
  /// Hands pages freed by compaction back to the file system, a bounded amount per call.
  public var vacuumStatement: String? { "PRAGMA incremental_vacuum(2048)" }
  public var freePagesQuery: String? { "SELECT freelist_count FROM pragma_freelist_count()" }

  public init(path: String) {
    self.path = path
  }

  public var schema: [String] {
    [
      "CREATE TABLE IF NOT EXISTS skiff_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
      SchemaVersion.stampNewDatabase,
      "INSERT INTO skiff_meta (name, value) VALUES ('rev', 0), ('compact', 0), ('swept', 0) ON CONFLICT (name) DO NOTHING",
      // A rowid table: values are often larger than a WITHOUT ROWID table handles well.
      """
      CREATE TABLE IF NOT EXISTS skiff_revlog (id INTEGER PRIMARY KEY, rev INTEGER NOT NULL,
        key BLOB NOT NULL, deleted INTEGER NOT NULL, create_rev INTEGER NOT NULL,
        version INTEGER NOT NULL, lease INTEGER NOT NULL, value BLOB NOT NULL, prev_id INTEGER NOT NULL)
      """,
      """
      CREATE TABLE IF NOT EXISTS skiff_lease (id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL,
        expires INTEGER NOT NULL)
      """,
    ]
  }

  /// Readers map the database file: a large range then reads pages in place, with no copy
  /// through read(2) per page (the page cache of 2,000 pages holds less than one list of 10,000
  /// Kubernetes objects). The map reaches as far as SQLite allows (2 GB), not just the first
  /// 256 MB: after `etcdctl check perf` the file held 557 MB, and newly written keys, at its end,
  /// were read with pread(2) (a list of 10,000 keys, p99 88 ms against 29 ms mapped). Only
  /// address space is reserved; pages count towards RSS once read, as the page cache's.
  public func connect() throws -> SQLConnection {
    let connection = try open()
    try connection.execute("PRAGMA mmap_size = \(Int64(Int32.max))")
    return connection
  }

  /// The writer's connection checkpoints on a thread of its own (`WALCheckpointer`).
  public func connectWriter() throws -> SQLConnection {
    let connection = try open()
    connection.checkpointInBackground()
    return connection
  }

  private func open() throws -> SQLiteConnection {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    let connection = try SQLiteConnection(path: path)
    // First, so that the pragmas below wait for other connections' locks too.
    try connection.execute("PRAGMA busy_timeout = 5000")
    // auto_vacuum only takes effect before the first table exists; it lets compaction hand
    // freed pages back to the file system.
    try connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
    try connection.execute("PRAGMA journal_mode = WAL")
    try connection.execute("PRAGMA synchronous = FULL")
    try connection.execute("PRAGMA journal_size_limit = 67108864")
    try connection.execute("PRAGMA cache_size = -8000")
    return connection
  }
}

/// One SQLite handle with a cache of prepared statements.
final class SQLiteConnection: SQLConnection {
  private var db: OpaquePointer?
  private var statements: [String: OpaquePointer] = [:]
  private let path: String
  private(set) var checkpointer: WALCheckpointer?

  init(path: String) throws {
    self.path = path
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let code = sqlite3_open_v2(path, &db, flags, nil)
    guard code == SQLITE_OK else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(db)
      throw StoreError.unavailable("cannot open SQLite database \(path): \(message)")
    }
    chmod(path, 0o600)
  }

  deinit { close() }

  func close() {
    for statement in statements.values { sqlite3_finalize(statement) }
    statements.removeAll()
    if let db { sqlite3_close_v2(db) }
    db = nil
    checkpointer?.stop()
    checkpointer = nil
  }

  /// Hands this connection's checkpoints to a background thread.
  func checkpointInBackground() {
    guard let db, checkpointer == nil else { return }
    let checkpointer = WALCheckpointer(path: path)
    checkpointer.observe(db)
    self.checkpointer = checkpointer
  }

  func execute(_ sql: String) throws {
    guard let db else { throw StoreError.unavailable("SQLite connection closed") }
    let code = sqlite3_exec(db, sql, nil, nil, nil)
    guard code == SQLITE_OK else { throw error(code) }
  }

  @discardableResult
  func query(_ sql: String, _ binds: [SQLValue]) throws -> [[SQLValue]] {
    try rows(sql, binds) { $0.values }
  }

  func query<T>(_ sql: String, _ binds: [SQLValue], _ transform: (any SQLRow) throws -> T) throws -> [T] {
    try rows(sql, binds) { try transform($0) }
  }

  private func rows<T>(_ sql: String, _ binds: [SQLValue], _ transform: (SQLiteRow) throws -> T) throws -> [T] {
    let statement = try prepared(sql)
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    for (index, value) in binds.enumerated() {
      let position = Int32(index + 1)
      let code: Int32
      switch value {
      case .null: code = sqlite3_bind_null(statement, position)
      case .int(let v): code = sqlite3_bind_int64(statement, position, v)
      case .text(let s): code = sqlite3_bind_text(statement, position, s, -1, SQLITE_TRANSIENT)
      case .blob(let b):
        code = b.withUnsafeBytes {
          sqlite3_bind_blob64(
            statement, position, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(b.count), SQLITE_TRANSIENT)
        }
      }
      guard code == SQLITE_OK else { throw error(code) }
    }
    var rows: [T] = []
    let row = SQLiteRow(statement: statement)
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { break }
      guard code == SQLITE_ROW else { throw error(code) }
      rows.append(try transform(row))
    }
    return rows
  }

  private func prepared(_ sql: String) throws -> OpaquePointer {
    if let statement = statements[sql] { return statement }
    guard let db else { throw StoreError.unavailable("SQLite connection closed") }
    // Shared statements use PostgreSQL's $n placeholders; SQLite spells them ?n.
    let native = sql.replacingOccurrences(of: "$", with: "?")
    var statement: OpaquePointer?
    let code = sqlite3_prepare_v3(db, native, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard code == SQLITE_OK, let statement else { throw error(code) }
    statements[sql] = statement
    return statement
  }

  private func error(_ code: Int32) -> StoreError {
    let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
    return .unavailable("SQLite error \(code): \(message)")
  }
}

/// SQLite's "copy the buffer now" destructor, which the C macro hides from Swift.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The row a statement stands on, read straight from SQLite's buffers.
private struct SQLiteRow: SQLRow {
  let statement: OpaquePointer

  func int(_ column: Int) -> Int64 { sqlite3_column_int64(statement, Int32(column)) }

  func bytes(_ column: Int) -> [UInt8] {
    let count = Int(sqlite3_column_bytes(statement, Int32(column)))
    guard count > 0, let base = sqlite3_column_blob(statement, Int32(column)) else { return [] }
    return Array(UnsafeRawBufferPointer(start: base, count: count))
  }

  /// Every column, typed as SQLite holds it.
  var values: [SQLValue] {
    (0..<Int(sqlite3_column_count(statement))).map { column in
      switch sqlite3_column_type(statement, Int32(column)) {
      case SQLITE_INTEGER: .int(int(column))
      case SQLITE_NULL: .null
      case SQLITE_TEXT: .text(String(cString: sqlite3_column_text(statement, Int32(column))))
      default: .blob(bytes(column))
      }
    }
  }
}
