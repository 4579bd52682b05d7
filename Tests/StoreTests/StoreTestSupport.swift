import Foundation
import SkiffCore
import Store
import Synchronization
import Testing

/// Which database a contract test runs against. Every test gets a fresh, empty one.
struct Backend: Sendable, CustomStringConvertible {
  enum Kind: Sendable { case sqlite, postgres }
  let kind: Kind

  static let sqlite = Backend(kind: .sqlite)
  static let postgres = Backend(kind: .postgres)

  /// A DSN of a PostgreSQL server where tests may create and drop databases.
  static let postgresDSN: String? = {
    guard let dsn = ProcessInfo.processInfo.environment["SKIFF_TEST_POSTGRES"], !dsn.isEmpty else { return nil }
    return dsn
  }()
  static let postgresSkipMessage: Comment =
    "set SKIFF_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostgreSQL tests"

  var description: String { kind == .sqlite ? "sqlite" : "postgres" }

  /// Creates an empty database, runs `body` with a driver for it, then removes the database.
  func withDatabase<T: Sendable>(_ body: (any SQLDriver) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-store-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: directory) }
      return try await body(SQLiteDriver(path: directory.appendingPathComponent("state.db").path))
    case .postgres:
      let database = try await PostgresAdmin.createDatabase()
      do {
        let result = try await body(try PostgresDriver(url: PostgresAdmin.dsn(database: database)))
        try await PostgresAdmin.dropDatabase(database)
        return result
      } catch {
        try? await PostgresAdmin.dropDatabase(database)
        throw error
      }
    }
  }
}

/// Maintenance work on the PostgreSQL server named by SKIFF_TEST_POSTGRES, through the driver.
enum PostgresAdmin {
  static func dsn(database: String) throws -> String {
    guard let base = Backend.postgresDSN, var components = URLComponents(string: base) else {
      throw StoreError.invalid("SKIFF_TEST_POSTGRES is not set or not a URL")
    }
    components.path = "/\(database)"
    return components.string!
  }

  static func maintenance<T: Sendable>(_ body: @escaping @Sendable (SQLConnection) throws -> T) async throws -> T {
    let driver = try PostgresDriver(url: Backend.postgresDSN ?? "")
    return try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      return try body(connection)
    }
  }

  static func createDatabase() async throws -> String {
    let name = "skiff_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
    try await maintenance { try $0.execute("CREATE DATABASE \(name)") }
    return name
  }

  static func dropDatabase(_ name: String) async throws {
    try await maintenance { try $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
  }

  /// Kills every session on `database`, as a database restart or failover would.
  @discardableResult
  static func terminateSessions(of database: String) async throws -> Int {
    try await maintenance { connection in
      try connection.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [.text(database)]
      ).count
    }
  }
}

/// Runs blocking driver calls off Swift's cooperative threads.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    Thread { continuation.resume(with: Result { try body() }) }.start()
  }
}

/// A wall clock that moves only when told to.
final class TestClock: WallClock {
  private let now = Mutex<Int64>(1_700_000_000_000)
  func nowMilliseconds() -> Int64 { now.withLock { $0 } }
  func advance(milliseconds: Int64) { now.withLock { $0 += milliseconds } }
}

/// A revision log on a fresh database with its background work running.
struct LogEnvironment: Sendable {
  let log: RevisionLog
  let driver: any SQLDriver
  let clock: TestClock

  /// Opens another revision log (another "server") on the same database.
  func openAnother(options: RevisionLog.Options = .testing) async throws -> RevisionLog {
    try await RevisionLog.open(driver: driver, options: options, clock: clock)
  }

  /// Rows in the log table, counted through a driver connection.
  func logRows() async throws -> Int64 {
    let driver = self.driver
    return try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      return try connection.query("SELECT COUNT(*) FROM skiff_revlog", []).first?.first.map { value in
        if case .int(let count) = value { return count }
        return -1
      } ?? -1
    }
  }
}

extension RevisionLog.Options {
  static var testing: Self {
    var options = Self()
    options.leaseCheckInterval = .milliseconds(50)
    options.pollInterval = .milliseconds(500)
    return options
  }
}

/// Opens a revision log on a fresh database of `backend`, runs its background work, runs
/// `body`, then shuts everything down.
func withLog(
  _ backend: Backend, options: RevisionLog.Options = .testing,
  _ body: (LogEnvironment) async throws -> Void
) async throws {
  try await backend.withDatabase { driver in
    let clock = TestClock()
    let log = try await RevisionLog.open(driver: driver, options: options, clock: clock)
    try await withRunning(log) {
      try await body(LogEnvironment(log: log, driver: driver, clock: clock))
    }
  }
}

/// Runs `log`'s background work around `body`, then stops it (which closes the log).
func withRunning(_ log: RevisionLog, _ body: () async throws -> Void) async throws {
  let runner = Task { try await log.run() }
  do {
    try await body()
  } catch {
    runner.cancel()
    _ = await runner.result
    throw error
  }
  runner.cancel()
  _ = await runner.result
}

struct TimedOut: Error, CustomStringConvertible {
  let what: String
  var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TimedOut` after `limit`.
func within<T: Sendable>(
  _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T.self) { group in
    group.addTask { try await body() }
    group.addTask {
      try await Task.sleep(for: limit)
      throw TimedOut(what: what)
    }
    defer { group.cancelAll() }
    return try await group.next()!
  }
}

/// Polls `condition` until it holds, failing after `limit`.
func eventually(
  _ what: String, within limit: Duration = .seconds(10), _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
  let deadline = ContinuousClock.now + limit
  while try await !condition() {
    guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
    try await Task.sleep(for: .milliseconds(20))
  }
}

/// Watches `range` from `start` and collects every event through revision `through`.
func collectEvents(
  _ log: RevisionLog, _ range: KeyRange, from start: Int64, through: Int64, limit: Duration = .seconds(15)
) async throws -> [WatchEvent] {
  let cursor = try log.watch(range, from: start)
  return try await within(limit, "watch of \(range) from \(start) through \(through)") {
    var cursor = cursor
    var events: [WatchEvent] = []
    while cursor.revision < through { events += try await cursor.next() }
    // Reading from the log may overshoot `through`.
    return events.filter { $0.revision <= through }
  }
}

// MARK: Shorthands

func b(_ string: String) -> [UInt8] { Array(string.utf8) }

extension RevisionLog {
  @discardableResult
  func put(_ key: String, _ value: String, lease: Int64 = 0) async throws -> Int64 {
    try await put(PutRequest(key: b(key), value: b(value), lease: lease)).revision
  }

  func get(_ key: String, at revision: Int64 = 0) async throws -> KeyValue? {
    try await range(RangeRequest(range: .key(b(key)), revision: revision)).kvs.first
  }

  func keys(_ range: KeyRange, at revision: Int64 = 0) async throws -> [String] {
    try await self.range(RangeRequest(range: range, revision: revision)).kvs.map {
      String(decoding: $0.key, as: UTF8.self)
    }
  }

  /// The newest revision, as a read sees it (on a shared database `currentRevision` may lag).
  func headRevision() async throws -> Int64 {
    try await range(RangeRequest(range: .key(b("\u{0}")), countOnly: true)).revision
  }
}

extension KeyValue {
  var string: String { String(decoding: value, as: UTF8.self) }
  var keyString: String { String(decoding: key, as: UTF8.self) }
}

/// Asserts that `body` fails with exactly `expected`.
func expectStoreError(
  _ expected: StoreError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async {
  do {
    try await body()
    Issue.record("expected \(expected), but it succeeded", sourceLocation: sourceLocation)
  } catch let error as StoreError {
    #expect(error == expected, sourceLocation: sourceLocation)
  } catch {
    Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
  }
}
