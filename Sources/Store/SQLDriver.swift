import Logging

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Equatable {
  case null
  case int(Int64)
  case blob([UInt8])
  case text(String)

  var int: Int64 {
    switch self {
    case .int(let v): v
    case .text(let s): Int64(s) ?? 0
    default: 0
    }
  }

  var bytes: [UInt8] {
    switch self {
    case .blob(let b): b
    case .text(let s): Array(s.utf8)
    default: []
    }
  }
}

/// A database session used by one thread at a time. Implementations block until the database
/// answers; the revision log calls them only from its own writer and reader threads.
public protocol SQLConnection: AnyObject {
  /// Runs one statement written with `$1…$n` placeholders and returns its rows.
  @discardableResult
  func query(_ sql: String, _ binds: [SQLValue]) throws -> [[SQLValue]]
  /// The same, handing each row to `transform` as it is read: a large read (a list of 10,000
  /// keys) then builds no row arrays on the way to its own values.
  func query<T>(_ sql: String, _ binds: [SQLValue], _ transform: (any SQLRow) throws -> T) throws -> [T]
  /// Runs statements that take no parameters (DDL, BEGIN, COMMIT…).
  func execute(_ sql: String) throws
  func close()
}

extension SQLConnection {
  func query<T>(_ sql: String, _ binds: [SQLValue], _ transform: (any SQLRow) throws -> T) throws -> [T] {
    try query(sql, binds).map(transform)
  }
}

/// One row of a result, read by column.
public protocol SQLRow {
  func int(_ column: Int) -> Int64
  func bytes(_ column: Int) -> [UInt8]
}

extension Array: SQLRow where Element == SQLValue {
  public func int(_ column: Int) -> Int64 { self[column].int }
  public func bytes(_ column: Int) -> [UInt8] { self[column].bytes }
}

/// A database the revision log can live in. Drivers differ only in connecting, DDL and a few
/// statement spellings; every query the log runs is shared.
public protocol SQLDriver: Sendable {
  /// Human-readable name for logs (never contains credentials).
  var name: String { get }
  /// Other processes may write to the same database (PostgreSQL): watchers must then be fed
  /// from the database, not from this process's own commits, and the current keys are read from
  /// the table `skiff_keys`. A private database keeps them in memory instead (`KeyIndex`).
  var isShared: Bool { get }
  /// Statements that create the schema if missing; run once at start.
  var schema: [String] { get }
  /// Starts a write transaction.
  var beginWrite: String { get }
  /// Starts a read transaction that sees one snapshot.
  var beginRead: String { get }
  /// One row, one column: the database's size in bytes.
  var sizeQuery: String { get }
  /// Run in a write transaction after compaction removed rows, to return space; nil if the
  /// database does this itself.
  var vacuumStatement: String? { get }
  /// One row, one column: pages `vacuumStatement` can still return; nil with no vacuum statement.
  var freePagesQuery: String? { get }
  func connect() throws -> SQLConnection
  /// The connection of the single writer; by default like any other.
  func connectWriter() throws -> SQLConnection
  /// Runs inside a write transaction just before COMMIT (PostgreSQL queues a NOTIFY there).
  func willCommit(on connection: SQLConnection, revision: Int64) throws
  /// A stream that yields whenever another server may have committed (PostgreSQL LISTEN);
  /// nil when the driver has none and polling alone must do.
  func notifications(logger: Logger) -> AsyncStream<Void>?
}

extension SQLDriver {
  public func willCommit(on connection: SQLConnection, revision: Int64) throws {}
  public func notifications(logger: Logger) -> AsyncStream<Void>? { nil }
  public func connectWriter() throws -> SQLConnection { try connect() }
}
