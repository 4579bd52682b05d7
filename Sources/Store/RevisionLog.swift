import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import SkiffCore

/// The cluster's state: an etcd-style multi-version key-value log in SQL, with one writer doing
/// group commit, pooled readers, an in-memory watch buffer, TTL leases and background compaction.
/// Every write takes exactly one revision, allocated inside its transaction, so revisions have no
/// gaps on any driver.
public final class RevisionLog: Sendable {
  public struct Options: Sendable {
    /// How often old history is compacted away.
    public var compactInterval: Duration = .seconds(300)
    /// Revisions kept below the newest one by automatic compaction.
    public var retainedRevisions: Int64 = 1000
    /// How often expired leases are looked for.
    public var leaseCheckInterval: Duration = .milliseconds(500)
    /// How often a shared database is polled for other servers' writes when no notification comes.
    public var pollInterval: Duration = .seconds(1)
    public var readerThreads = 2
    /// etcd's --max-txn-ops.
    public var maxTxnOperations = 128
    public init() {}
  }

  let driver: SQLDriver
  let options: Options
  let clock: WallClock
  let logger: Logger
  let writer: LogWriter
  let reader: LogReader
  let hub: WatchHub
  /// Wakes the background compactor and, on shared databases, the log follower.
  let signals: Signals
  private let compactRevisionBox: NIOLockedValueBox<Int64>
  /// The sweep of compacted rows running now, if any (`sweep(through:)`).
  let sweeping = NIOLockedValueBox<Task<Int64, Error>?>(nil)
  /// The newest revision this server committed itself; on a shared database the watch buffer
  /// learns of it a moment later, through the log.
  private let committedRevision: NIOLockedValueBox<Int64>

  /// Opens (and creates) the log. A database that cannot be reached is retried with backoff
  /// until `retryFor` passes, logging each attempt.
  public static func open(
    driver: SQLDriver, options: Options = Options(), clock: WallClock = SystemClock(),
    logger: Logger = Logger(label: "store"), retryFor: Duration = .seconds(0)
  ) async throws -> RevisionLog {
    let deadline = ContinuousClock.now + retryFor
    var delay = Duration.milliseconds(500)
    while true {
      do {
        let connection = try driver.connect()
        defer { connection.close() }
        try connection.execute(driver.beginWrite)
        for statement in driver.schema { try connection.execute(statement) }
        do { try SchemaVersion.upgrade(connection, keysInMemory: !driver.isShared) } catch {
          try? connection.execute("ROLLBACK")
          throw error
        }
        try connection.execute("COMMIT")
        let session = LogSession(connection: connection)
        try connection.execute(driver.beginRead)
        let revisions = try session.revisions()
        let started = ContinuousClock.now
        let index = driver.isShared ? nil : try KeyIndex.load(connection, revision: revisions.current)
        try connection.execute("COMMIT")
        var metadata: Logger.Metadata = [
          "driver": "\(driver.name)", "revision": "\(revisions.current)", "compacted": "\(revisions.compact)",
        ]
        if let index { metadata["keys"] = "\(index.count) in memory, loaded in \(ContinuousClock.now - started)" }
        logger.info("datastore open", metadata: metadata)
        return RevisionLog(
          driver: driver, index: index, options: options, clock: clock, logger: logger, revisions: revisions)
      } catch let refused as StoreError where refused.isDowngrade {
        throw refused
      } catch {
        guard ContinuousClock.now + delay < deadline else { throw (error as? StoreError) ?? .unavailable("\(error)") }
        logger.warning(
          "datastore unreachable, retrying",
          metadata: ["driver": "\(driver.name)", "in": "\(delay)", "error": "\(error)"])
        try await Task.sleep(for: delay)
        delay = min(delay * 2, .seconds(10))
      }
    }
  }

  private init(
    driver: SQLDriver, index: KeyIndex?, options: Options, clock: WallClock, logger: Logger,
    revisions: (current: Int64, compact: Int64)
  ) {
    self.driver = driver
    self.options = options
    self.clock = clock
    self.logger = logger
    let hub = WatchHub(lastRevision: revisions.current)
    let signals = Signals()
    self.hub = hub
    self.signals = signals
    self.compactRevisionBox = NIOLockedValueBox(revisions.compact)
    self.reader = LogReader(driver: driver, index: index, threads: options.readerThreads)
    let committed = NIOLockedValueBox(revisions.current)
    self.committedRevision = committed
    self.writer = LogWriter(driver: driver, index: index, logger: logger) { events, revision in
      committed.withLockedValue { $0 = max($0, revision) }
      // A private database feeds watchers straight from commits; a shared one from the log, so
      // that other servers' revisions interleave in order.
      if driver.isShared { signals.follow.signal() } else { hub.publish(events, through: revision) }
    }
    writer.start()
  }

  /// The newest committed revision this server knows of, its own writes included.
  public var currentRevision: Int64 { max(hub.lastRevision, committedRevision.withLockedValue { $0 }) }

  /// Returns once the watch buffer holds every revision through `revision` (or the task is
  /// cancelled).
  public func waitUntilPublished(_ revision: Int64) async {
    await hub.waitUntilPublished(revision)
  }

  /// The newest revision through which nothing in `range` changed after `revision`, as far as
  /// the watch buffer tells (`revision` when it cannot): how far a watcher at `revision` that has
  /// not been woken is in fact up to date.
  public func quietThrough(in range: KeyRange, after revision: Int64) -> Int64 {
    hub.quietThrough(in: range, after: revision)
  }

  /// Below this revision history is gone.
  public var compactRevision: Int64 { compactRevisionBox.withLockedValue { $0 } }

  func noteCompacted(_ revision: Int64) {
    compactRevisionBox.withLockedValue { $0 = max($0, revision) }
  }

  // MARK: Reads

  public func range(_ request: RangeRequest) async throws -> RangeResult {
    let result = try await reader.read { session in try session.range(request) }
    return result
  }

  // MARK: Writes

  public func put(_ request: PutRequest) async throws -> (revision: Int64, prevKV: KeyValue?) {
    let result = try await txn(TxnRequest(success: [.put(request)]))
    guard case .put(let prev) = result.results.first else { return (result.revision, nil) }
    return (result.revision, prev)
  }

  public func delete(_ request: DeleteRequest) async throws -> (revision: Int64, deleted: Int64, prevKVs: [KeyValue]) {
    let result = try await txn(TxnRequest(success: [.delete(request)]))
    guard case .delete(let deleted, let prevKVs) = result.results.first else { return (result.revision, 0, []) }
    return (result.revision, deleted, prevKVs)
  }

  /// Runs an etcd transaction atomically; one that only reads never waits for the writer.
  public func txn(_ request: TxnRequest) async throws -> TxnResult {
    guard request.writes else {
      try request.validate(maxOperations: options.maxTxnOperations)
      return try await reader.read { session in try TxnExecutor(session: session, batch: nil).execute(request) }
    }
    return try await withCheckedThrowingContinuation { continuation in
      txn(request) { continuation.resume(with: $0) }
    }
  }

  /// `txn` for a caller on an event loop, which must not wait: a write goes to the writer with no
  /// task, and `completion` runs once, on the writer's thread after its batch committed (a
  /// request that only reads runs in a task and completes there).
  public func txn(_ request: TxnRequest, completion: @escaping @Sendable (Result<TxnResult, Error>) -> Void) {
    guard request.writes else {
      Task {
        do { completion(.success(try await txn(request))) } catch { completion(.failure(error)) }
      }
      return
    }
    do {
      try request.validate(maxOperations: options.maxTxnOperations)
    } catch {
      return completion(.failure(error))
    }
    let now = clock.nowMilliseconds()
    writer.submit(
      { batch in try TxnExecutor(session: batch.session, batch: batch, now: now).execute(request) },
      completion: completion)
  }

  /// Forgets history below `revision`: reads and watches there get `compacted` from now on, and
  /// the rows go in small batches, in the background or, when `physical` (as etcd's flag asks),
  /// before this returns.
  public func compact(_ revision: Int64, physical: Bool = false) async throws {
    try await writer.write { batch in
      let revisions = try batch.revisions()
      if revision > revisions.current { throw StoreError.futureRevision }
      if revision <= revisions.compact { throw StoreError.compacted(compactRevision: revisions.compact) }
      try batch.session.setCompactRevision(revision)
    }
    noteCompacted(revision)
    if physical {
      try await sweep(through: revision)
    } else {
      signals.compact.signal()
    }
  }

  /// Database size in bytes, as Maintenance.Status reports it.
  public func databaseSize() async throws -> Int64 {
    let sql = driver.sizeQuery
    return try await reader.read { session in try session.connection.query(sql, []).first?[0].int ?? 0 }
  }

  /// Stops accepting writes and closes the database once queued writes are done.
  public func close() async {
    writer.stop()
    await reader.shutdown()
  }
}

extension RevisionLog: Service {
  /// Background work until shutdown: lease expiry, compaction and, on a shared database,
  /// following other servers' writes.
  public func run() async throws {
    // Outside a ServiceGroup (tests, embedding), cancelling the task must stop it too.
    await withTaskCancellationOrGracefulShutdownHandler {
      await withTaskGroup(of: Void.self) { group in
        group.addTask { await self.expireLeases() }
        group.addTask { await self.compactContinuously() }
        if driver.isShared { group.addTask { await self.followLog() } }
        await group.waitForAll()
      }
    } onCancelOrGracefulShutdown: {
      self.signals.stop()
    }
    await close()
  }
}

extension LogSession {
  /// A range read following etcd's rules for revisions, limit and count.
  func range(_ request: RangeRequest) throws -> RangeResult {
    let (current, compact) = try revisions()
    if request.revision > current { throw StoreError.futureRevision }
    if request.revision > 0 && request.revision < compact { throw StoreError.compacted(compactRevision: compact) }
    let at: Int64? = request.revision == 0 || request.revision == current ? nil : request.revision
    if request.countOnly {
      return RangeResult(kvs: [], count: try count(request.range, at: at), more: false, revision: current)
    }
    var kvs = try range(
      request.range, at: at, limit: request.limit > 0 ? request.limit + 1 : 0, keysOnly: request.keysOnly)
    var count = Int64(kvs.count)
    let more = request.limit > 0 && count > request.limit
    if more {
      kvs.removeLast(kvs.count - Int(request.limit))
      count = try self.count(request.range, at: at)
    }
    return RangeResult(kvs: kvs, count: count, more: more, revision: current)
  }
}
