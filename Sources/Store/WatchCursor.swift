/// One watcher's position in the log. `next()` returns the matching events of the next whole
/// revisions, in order, with no gap and no duplicate, waiting for new ones when at the head.
public struct WatchCursor: Sendable {
  public let range: KeyRange
  /// Every revision up to this one has been delivered (or did not match).
  public private(set) var revision: Int64
  let log: RevisionLog

  init(log: RevisionLog, range: KeyRange, after revision: Int64) {
    self.log = log
    self.range = range
    self.revision = revision
  }

  /// The next events in the range (possibly none when only other keys changed); waits while
  /// nothing newer exists. Throws `StoreError.compacted` once the cursor fell below compaction,
  /// and `CancellationError` when its task is cancelled.
  public mutating func next() async throws -> [WatchEvent] {
    let start = revision
    while true {
      try Task.checkCancellation()
      switch log.hub.read(after: revision) {
      case .upToDate:
        // Skipped over revisions of other keys: say so, the caller may be waiting for them.
        if revision > start { return [] }
        revision = await log.hub.wait(after: revision, in: range)
      case .events(let events):
        return consume(events)
      case .fromLog(let through):
        let after = revision
        let range = range
        let events = try await log.reader.read { session in
          let compact = try session.revisions().compact
          if after + 1 < compact { throw StoreError.compacted(compactRevision: compact) }
          return try session.events(after: after, through: through, in: range)
        }
        revision = through
        return events
      }
    }
  }

  private mutating func consume(_ events: [WatchEvent]) -> [WatchEvent] {
    if let last = events.last { revision = last.revision }
    return events.filter { range.contains($0.kv.key) }
  }
}

extension RevisionLog {
  /// Starts watching `range` from `startRevision` (0 = only changes after now).
  public func watch(_ range: KeyRange, from startRevision: Int64 = 0) throws -> WatchCursor {
    if startRevision == 0 { return WatchCursor(log: self, range: range, after: currentRevision) }
    let compact = compactRevision
    if startRevision < compact { throw StoreError.compacted(compactRevision: compact) }
    return WatchCursor(log: self, range: range, after: startRevision - 1)
  }

  /// On a shared database: feeds the watch buffer from the log, woken by this server's commits,
  /// by the database's notifications, or by the poll interval.
  func followLog() async {
    let listener = driver.notifications(logger: logger).map { notifications in
      Task { [signals] in
        for await _ in notifications { signals.follow.signal() }
      }
    }
    // Ending the stream's consumer ends the stream, and with it the LISTEN connection.
    defer { listener?.cancel() }
    while await signals.follow.wait(timeout: options.pollInterval) {
      do {
        while true {
          let after = hub.lastRevision
          let (events, current, compact) = try await reader.read { session in
            let revisions = try session.revisions()
            let through = min(revisions.current, after + WatchHub.logWindow)
            return (try session.events(after: after, through: through, in: .all), revisions.current, revisions.compact)
          }
          noteCompacted(compact)
          guard current > after else { break }
          hub.publish(events, through: min(current, after + WatchHub.logWindow))
        }
      } catch {
        logger.warning("following the shared log failed", metadata: ["error": "\(error)"])
      }
    }
  }
}
