/// What a write job sees: the session inside the writer's open transaction, the revision it may
/// take, and where it records the events it caused.
public final class WriteBatch {
  let session: LogSession
  private(set) var revision: Int64?
  private(set) var events: [WatchEvent] = []
  /// The job wrote more events than it recorded: watchers must read its revision from the log.
  var eventsOnlyInLog = false

  init(session: LogSession) {
    self.session = session
  }

  /// The job's revision, taken on first use: a job that changes nothing takes none.
  func takeRevision() throws -> Int64 {
    if let revision { return revision }
    let next = try session.nextRevision()
    revision = next
    return next
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
