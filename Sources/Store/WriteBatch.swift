/// What a write job sees: the session inside the writer's open transaction, the revision it may
/// take, and where it records the events it caused.
public final class WriteBatch {
  let session: LogSession
  private(set) var revision: Int64?
  private(set) var events: [WatchEvent] = []
  /// The job wrote more events than it recorded: watchers must read its revision from the log.
  var eventsOnlyInLog = false
  /// The newest revision this transaction took. Only the first comes from the database; later
  /// jobs count on from it, and `flushCounter` stores the last in the counter row.
  private var lastTaken: Int64?
  private var counterBehind = false
  /// Log rows the job's revision holds so far.
  private var rowsInRevision: Int64 = 0
  /// Revisions are taken from the counter row, which stays locked until COMMIT and so orders the
  /// commits of several servers on one database. A private database has one writer: it counts on
  /// from the newest log row, and each commit writes one page less.
  private let countsRevisions: Bool

  init(session: LogSession, countsRevisions: Bool) {
    self.session = session
    self.countsRevisions = countsRevisions
  }

  /// The job's revision, taken on first use: a job that changes nothing takes none.
  func takeRevision() throws -> Int64 {
    if let revision { return revision }
    let next: Int64
    if let lastTaken {
      next = lastTaken + 1
      counterBehind = countsRevisions
    } else if countsRevisions {
      next = try session.nextRevision()
    } else {
      next = try session.revisions().current + 1
    }
    lastTaken = next
    revision = next
    rowsInRevision = 0
    return next
  }

  /// The first of `count` new log row ids in the job's revision.
  func takeRowIDs(_ count: Int64 = 1) throws -> Int64 {
    let revision = try takeRevision()
    guard rowsInRevision + count <= LogRowID.rowsPerRevision else {
      throw StoreError.invalid(
        "one revision holds at most \(LogRowID.rowsPerRevision) changes; change fewer keys at a time")
    }
    defer { rowsInRevision += count }
    return LogRowID.first(of: revision) + rowsInRevision
  }

  /// The newest and the compacted revision as this transaction sees them, its own included.
  func revisions() throws -> (current: Int64, compact: Int64) {
    let stored = try session.revisions()
    return (max(stored.current, lastTaken ?? 0), stored.compact)
  }

  /// Stores the last revision taken in the counter row, when revisions are counted; run before
  /// COMMIT.
  func flushCounter() throws {
    guard counterBehind, let lastTaken else { return }
    try session.setRevision(lastTaken)
    counterBehind = false
  }

  func record(_ event: WatchEvent) {
    events.append(event)
  }

  /// Starts the next job in the same transaction.
  func reset() {
    revision = nil
    eventsOnlyInLog = false
    events.removeAll(keepingCapacity: true)
  }
}
