import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresNIO

/// The shared datastore for several servers: one PostgreSQL database.
///
/// Writers of every server serialize on one transaction-scoped advisory lock taken by
/// `beginWrite`, so a write transaction reads only what every earlier writer committed: a
/// compare-and-swap planned by one server can never be overtaken by another server's commit.
/// Commits announce themselves with `NOTIFY skiff_log`, which the other servers LISTEN to.
public struct PostgresDriver: SQLDriver, CustomStringConvertible {
  /// What the driver accepts, shown when an endpoint cannot be parsed.
  static let acceptedForm =
    "postgres://user:password@host:port/database?sslmode=disable|prefer|require|verify-ca|verify-full"
    + " (also postgresql://; optional sslrootcert=FILE, connect_timeout=SECONDS, host=/socket/dir, application_name=NAME)"
  /// Key of the advisory lock that serializes writers (and schema creation) across servers.
  static let writeLock: Int64 = 0x736B_6966_665F_7772  // "skiff_wr"
  /// The LISTEN/NOTIFY channel on which commits are announced.
  static let channel = "skiff_log"
  /// A query that has not answered by then is abandoned and its connection closed.
  static let queryTimeout = TimeAmount.seconds(60)

  /// `postgres user@host:port/database`: never the password.
  public let name: String
  public var description: String { name }
  public var isShared: Bool { true }
  let configuration: PostgresConnection.Configuration
  /// Where connections go, for error messages.
  let target: String

  public init(url: String) throws {
    let endpoint = try PostgresEndpoint(url: url)
    target = endpoint.target
    name = "postgres \(endpoint.username)@\(endpoint.target)/\(endpoint.database)"
    var configuration: PostgresConnection.Configuration
    switch endpoint.location {
    case .tcp(let host, let port):
      configuration = PostgresConnection.Configuration(
        host: host, port: port, username: endpoint.username, password: endpoint.password,
        database: endpoint.database, tls: try endpoint.tls())
    case .socket(let path):
      configuration = PostgresConnection.Configuration(
        unixSocketPath: path, username: endpoint.username, password: endpoint.password,
        database: endpoint.database)
    }
    configuration.options.connectTimeout = .seconds(endpoint.connectTimeout)
    configuration.options.additionalStartupParameters = [
      ("application_name", endpoint.applicationName),
      // A server that vanishes mid-transaction (no RST) must not hold the write lock for long.
      ("idle_in_transaction_session_timeout", "30s"),
    ]
    self.configuration = configuration
  }

  public var schema: [String] {
    [
      // CREATE … IF NOT EXISTS races between servers starting together on an empty database.
      "SELECT pg_advisory_xact_lock(\(Self.writeLock))",
      "CREATE TABLE IF NOT EXISTS skiff_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
      SchemaVersion.stampNewDatabase,
      "INSERT INTO skiff_meta (name, value) VALUES ('rev', 0), ('compact', 0), ('swept', 0) ON CONFLICT (name) DO NOTHING",
      """
      CREATE TABLE IF NOT EXISTS skiff_keys (key BYTEA PRIMARY KEY, log_id BIGINT NOT NULL,
        create_rev BIGINT NOT NULL, mod_rev BIGINT NOT NULL, version BIGINT NOT NULL,
        lease BIGINT NOT NULL)
      """,
      "CREATE INDEX IF NOT EXISTS skiff_keys_lease ON skiff_keys (lease) WHERE lease <> 0",
      """
      CREATE TABLE IF NOT EXISTS skiff_revlog (id BIGINT PRIMARY KEY, rev BIGINT NOT NULL,
        key BYTEA NOT NULL, deleted BIGINT NOT NULL, create_rev BIGINT NOT NULL,
        version BIGINT NOT NULL, lease BIGINT NOT NULL, value BYTEA NOT NULL, prev_id BIGINT NOT NULL)
      """,
      """
      CREATE TABLE IF NOT EXISTS skiff_lease (id BIGINT PRIMARY KEY, ttl BIGINT NOT NULL,
        expires BIGINT NOT NULL)
      """,
    ]
  }

  /// READ COMMITTED, after taking the writers' lock: every statement then sees all that other
  /// servers committed before this transaction got the lock. (The revision counter's row lock
  /// alone would serialize commits but not the reads a transaction plans with.)
  /// `execute` runs the two statements one after the other.
  public var beginWrite: String { "BEGIN; SELECT pg_advisory_xact_lock(\(Self.writeLock))" }
  public var beginRead: String { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" }
  public var sizeQuery: String { "SELECT pg_database_size(current_database())" }
  /// Autovacuum returns the space.
  public var vacuumStatement: String? { nil }
  public var freePagesQuery: String? { nil }

  public func connect() throws -> SQLConnection {
    PostgresSQLConnection(connection: try open(), driver: self)
  }

  /// A new postgres-nio connection, waited for.
  func open() throws -> PostgresConnection {
    let future = PostgresConnection.connect(
      on: Self.eventLoops.any(), configuration: configuration, id: Self.nextConnectionID(),
      logger: Self.quietLogger)
    do {
      return try future.wait()
    } catch {
      throw StoreError.unavailable("cannot connect to PostgreSQL at \(target): \(Self.describe(error))")
    }
  }

  public func willCommit(on connection: SQLConnection, revision: Int64) throws {
    try connection.query("SELECT pg_notify('\(Self.channel)', '\(revision)')", [])
  }

  /// Yields once per notification on `skiff_log`, and once after every (re)connection since
  /// notifications may have been missed meanwhile. A lost connection is re-established with
  /// backoff; the stream ends when its consumer goes away.
  public func notifications(logger: Logger) -> AsyncStream<Void>? {
    let configuration = self.configuration
    let target = self.target
    // One pending wake-up says all there is to say.
    return AsyncStream(Void.self, bufferingPolicy: .bufferingNewest(1)) { continuation in
      let task = Task {
        var delay = Duration.milliseconds(250)
        while !Task.isCancelled {
          var connected = false
          do {
            let connection = try await PostgresConnection.connect(
              on: Self.eventLoops.any(), configuration: configuration, id: Self.nextConnectionID(),
              logger: Self.quietLogger)
            connected = true
            do {
              try await withTaskCancellationHandler {
                try await connection.listen(on: Self.channel) { notifications in
                  logger.debug("listening for other servers' commits", metadata: ["datastore": "\(target)"])
                  continuation.yield()
                  for try await _ in notifications { continuation.yield() }
                }
              } onCancel: {
                Self.closeNow(connection)
              }
            } catch {
              Self.closeNow(connection)
              throw error
            }
            Self.closeNow(connection)
          } catch {
            if Task.isCancelled { break }
            logger.warning(
              "PostgreSQL notifications lost, reconnecting",
              metadata: ["datastore": "\(target)", "in": "\(delay)", "error": "\(Self.describe(error))"])
          }
          if connected { delay = .milliseconds(250) }
          try? await Task.sleep(for: delay)
          if !connected { delay = min(delay * 2, .seconds(10)) }
        }
        continuation.finish()
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }

  // MARK: Shared machinery

  /// One event loop group for every connection of every driver.
  static var eventLoops: any EventLoopGroup { MultiThreadedEventLoopGroup.singleton }

  /// Closes without waiting (also from async code, where `close()` would mean the async one).
  /// The connection stays referenced until it is closed: postgres-nio insists on that.
  static func closeNow(_ connection: PostgresConnection) {
    let close: () -> EventLoopFuture<Void> = connection.close
    close().whenComplete { _ in withExtendedLifetime(connection) {} }
  }

  private static let connectionIDs = NIOLockedValueBox(0)
  static func nextConnectionID() -> Int {
    connectionIDs.withLockedValue {
      $0 += 1
      return $0
    }
  }

  /// postgres-nio's own logging: failures reach the revision log as errors instead.
  static let quietLogger = Logger(label: "skiff.store.postgres") { _ in SwiftLogNoOpLogHandler() }

  /// A readable account of a postgres-nio failure. PSQLError's own description hides everything
  /// (to keep secrets out of logs); none of what is picked here holds the password.
  static func describe(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return "\(error)" }
    if let info = error.serverInfo {
      var text = "\(info[.severity] ?? "ERROR") \(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
      if let detail = info[.detail] { text += " (\(detail))" }
      return text
    }
    let reason: String
    switch error.code {
    case .connectionError: reason = "connection failed"
    case .serverClosedConnection: reason = "the server closed the connection"
    case .clientClosedConnection: reason = "the connection was closed"
    case .uncleanShutdown: reason = "the connection was lost"
    case .sslUnsupported: reason = "the server does not support TLS"
    case .failedToAddSSLHandler: reason = "TLS setup failed"
    case .authMechanismRequiresPassword: reason = "the server asks for a password and none was given"
    case .unsupportedAuthMechanism: reason = "unsupported authentication mechanism"
    case .saslError: reason = "authentication failed"
    case .queryCancelled: reason = "the query was cancelled"
    default: reason = "\(error.code)"
    }
    if let underlying = error.underlying { return "\(reason): \(underlying)" }
    return reason
  }
}

/// A blocking session over one postgres-nio connection. Every call waits on the event loop's
/// answer, so it must only run on threads that may block (the writer, the reader pool).
final class PostgresSQLConnection: SQLConnection {
  private var connection: PostgresConnection
  private let driver: PostgresDriver

  /// The connection closed before the query could be answered.
  private struct ConnectionClosed: Error {}
  private struct TimedOut: Error {}
  /// COMMIT answered ROLLBACK.
  private struct RolledBack: Error {}

  init(connection: PostgresConnection, driver: PostgresDriver) {
    self.connection = connection
    self.driver = driver
  }

  deinit { close() }

  func close() {
    PostgresDriver.closeNow(connection)
  }

  /// Runs each `;`-separated statement in turn (the statements given here never hold a `;`
  /// inside a literal).
  func execute(_ sql: String) throws {
    for statement in sql.split(separator: ";") {
      let statement = statement.trimmingCharacters(in: .whitespacesAndNewlines)
      if statement.uppercased().hasPrefix("BEGIN") {
        try begin(statement)
      } else if !statement.isEmpty {
        _ = try run(statement, [])
      }
    }
  }

  @discardableResult
  func query(_ sql: String, _ binds: [SQLValue]) throws -> [[SQLValue]] {
    try run(sql, binds).rows.map { row in row.map(Self.value) }
  }

  /// Nothing of a session outlives its transactions, so a connection the server dropped since
  /// the last one (restart, failover, terminated backend) is replaced here, unnoticed.
  private func begin(_ sql: String) throws {
    if !connection.isClosed {
      do {
        _ = try perform(sql, [])
        return
      } catch  where Self.lostConnection(error) {
        // Reconnect below.
      } catch {
        throw unavailable(error)
      }
    }
    PostgresDriver.closeNow(connection)
    connection = try driver.open()
    _ = try run(sql, [])
  }

  private func run(_ sql: String, _ binds: [SQLValue]) throws -> PostgresQueryResult {
    do {
      return try perform(sql, binds)
    } catch {
      throw unavailable(error)
    }
  }

  /// Runs one statement and waits for its result, the connection closing, or the timeout,
  /// whichever comes first.
  private func perform(_ sql: String, _ binds: [SQLValue]) throws -> PostgresQueryResult {
    let connection = self.connection
    guard !connection.isClosed else { throw ConnectionClosed() }
    var bindings = PostgresBindings(capacity: binds.count)
    for value in binds {
      switch value {
      case .null: bindings.appendNull()
      case .int(let v): bindings.append(v)
      case .text(let s): bindings.append(s)
      case .blob(let b): bindings.append(ByteBuffer(bytes: b))
      }
    }
    let eventLoop = connection.eventLoop
    let promise = eventLoop.makePromise(of: PostgresQueryResult.self)
    connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: PostgresDriver.quietLogger)
      .cascade(to: promise)
    // A query written to a channel that closed meanwhile is dropped without an answer. The
    // write was queued on the event loop before this check, which therefore runs after it.
    eventLoop.execute {
      if connection.isClosed { promise.fail(ConnectionClosed()) }
    }
    let timer = eventLoop.scheduleTask(in: PostgresDriver.queryTimeout) {
      promise.fail(TimedOut())
      PostgresDriver.closeNow(connection)
    }
    defer { timer.cancel() }
    let result = try promise.futureResult.wait()
    // COMMIT of a transaction that already failed rolls back instead, and says so only in its tag.
    if result.metadata.command == "ROLLBACK" && !sql.uppercased().hasPrefix("ROLLBACK") { throw RolledBack() }
    return result
  }

  private static func lostConnection(_ error: any Error) -> Bool {
    if error is ConnectionClosed { return true }
    guard let error = error as? PSQLError else { return false }
    if error.serverInfo?[.severity] == "FATAL" { return true }
    switch error.code {
    case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError: return true
    default: return false
    }
  }

  private func unavailable(_ error: any Error) -> StoreError {
    let target = driver.target
    switch error {
    case is ConnectionClosed: return .unavailable("connection to PostgreSQL at \(target) closed")
    case is TimedOut:
      return .unavailable(
        "PostgreSQL at \(target) did not answer within \(PostgresDriver.queryTimeout.nanoseconds / 1_000_000_000)s")
    case is RolledBack:
      return .unavailable("PostgreSQL at \(target) rolled the transaction back instead of committing it")
    default: return .unavailable("PostgreSQL at \(target): \(PostgresDriver.describe(error))")
    }
  }

  /// Results come back in binary format.
  private static func value(_ cell: PostgresCell) -> SQLValue {
    guard var bytes = cell.bytes else { return .null }
    if cell.format == .text {
      let text = bytes.readString(length: bytes.readableBytes) ?? ""
      switch cell.dataType {
      case .int2, .int4, .int8: return .int(Int64(text) ?? 0)
      case .bytea: return .blob(Array(text.utf8))
      default: return .text(text)
      }
    }
    switch cell.dataType {
    case .int8: return .int(bytes.readInteger(as: Int64.self) ?? 0)
    case .int4: return .int(Int64(bytes.readInteger(as: Int32.self) ?? 0))
    case .int2: return .int(Int64(bytes.readInteger(as: Int16.self) ?? 0))
    case .bool: return .int(Int64(bytes.readInteger(as: UInt8.self) ?? 0))
    case .text, .varchar, .name, .bpchar: return .text(bytes.readString(length: bytes.readableBytes) ?? "")
    default: return .blob(bytes.readBytes(length: bytes.readableBytes) ?? [])
    }
  }
}

/// A parsed `postgres://` endpoint.
struct PostgresEndpoint {
  enum Location {
    case tcp(host: String, port: Int)
    case socket(path: String)
  }
  enum SSLMode: String {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
  }

  var location: Location
  var username: String
  var password: String?
  var database: String
  var sslMode = SSLMode.prefer
  var rootCertificate: String?
  var connectTimeout: Int64 = 10
  var applicationName = "skiff"

  /// `host:port` or the socket path.
  var target: String {
    switch location {
    case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    case .socket(let path): path
    }
  }

  init(url: String) throws {
    func invalid(_ why: String) -> StoreError {
      .invalid("invalid PostgreSQL endpoint (\(why)); expected \(PostgresDriver.acceptedForm)")
    }
    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
      throw invalid("not a URL")
    }
    guard scheme == "postgres" || scheme == "postgresql" else { throw invalid("scheme must be postgres or postgresql") }
    guard let user = components.user, !user.isEmpty else { throw invalid("user name missing") }
    username = user
    password = components.password
    let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
    guard !path.contains("/") else { throw invalid("database name must not contain /") }
    database = path.isEmpty ? user : path
    var port = 5432
    if let p = components.port {
      guard (1...65535).contains(p) else { throw invalid("port out of range") }
      port = p
    }
    var socketDirectory: String?
    for item in components.queryItems ?? [] {
      let value = item.value ?? ""
      switch item.name {
      case "sslmode":
        guard let mode = SSLMode(rawValue: value) else { throw invalid("unknown sslmode \(value)") }
        sslMode = mode
      case "sslrootcert": rootCertificate = value
      case "connect_timeout":
        guard let seconds = Int64(value), seconds > 0 else {
          throw invalid("connect_timeout must be a positive number of seconds")
        }
        connectTimeout = seconds
      case "host":
        guard value.hasPrefix("/") else { throw invalid("the host parameter must be a socket directory") }
        socketDirectory = value
      case "application_name": applicationName = value
      default: throw invalid("unknown parameter \(item.name)")
      }
    }
    var host = components.host ?? ""
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if let socketDirectory {
      location = .socket(path: "\(socketDirectory)/.s.PGSQL.\(port)")
    } else {
      guard !host.isEmpty else { throw invalid("host missing") }
      location = .tcp(host: host, port: port)
    }
  }

  /// libpq's sslmode semantics: prefer/require encrypt without checking the certificate,
  /// verify-ca checks the chain, verify-full also the host name.
  func tls() throws -> PostgresConnection.Configuration.TLS {
    var tls = TLSConfiguration.makeClientConfiguration()
    switch sslMode {
    case .disable: return .disable
    case .allow, .prefer, .require: tls.certificateVerification = .none
    case .verifyCA: tls.certificateVerification = .noHostnameVerification
    case .verifyFull: tls.certificateVerification = .fullVerification
    }
    if let rootCertificate { tls.trustRoots = .file(rootCertificate) }
    let context: NIOSSLContext
    do {
      context = try NIOSSLContext(configuration: tls)
    } catch {
      throw StoreError.invalid("cannot set up TLS for PostgreSQL: \(error)")
    }
    return sslMode == .allow || sslMode == .prefer ? .prefer(context) : .require(context)
  }
}
