import DequeModule
import NIOConcurrencyHelpers

/// The newest committed events, kept in memory so watchers at the head never touch the
/// database. Watchers pull from it at their own pace; one that falls out of the buffer reads
/// the log instead, and one that falls below compaction is told so.
final class WatchHub: Sendable {
  enum Read {
    /// Whole revisions after the asked one.
    case events([WatchEvent])
    /// The buffer no longer holds what comes next: read the log up to this revision.
    case fromLog(through: Int64)
    /// Nothing newer yet.
    case upToDate
  }

  private struct State {
    var buffer = Deque<WatchEvent>()
    var bytes = 0
    var lastRevision: Int64
    var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    var cancelled: Set<Int> = []
    var nextWaiter = 0
  }

  private let state: NIOLockedValueBox<State>
  private let maxEvents: Int
  private let maxBytes: Int
  /// Most revisions one log read returns, to bound memory for a far-behind watcher.
  static let logWindow: Int64 = 500

  init(lastRevision: Int64, maxEvents: Int = 4096, maxBytes: Int = 4 << 20) {
    self.state = NIOLockedValueBox(State(lastRevision: lastRevision))
    self.maxEvents = maxEvents
    self.maxBytes = maxBytes
  }

  var lastRevision: Int64 { state.withLockedValue { $0.lastRevision } }

  /// Appends committed events (whole revisions, in order) and wakes every waiter. `revision` is
  /// the newest revision they complete; a jump past `lastRevision + 1` without events for the
  /// gap (another server's commits seen late) empties the buffer so readers go to the log.
  func publish(_ events: [WatchEvent], through revision: Int64) {
    let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
      guard revision > state.lastRevision else { return [] }
      // Revisions arriving without their events, or after a gap, are only in the log.
      if events.first?.revision != state.lastRevision + 1 {
        state.buffer.removeAll()
        state.bytes = 0
      }
      for event in events where event.revision > state.lastRevision {
        state.buffer.append(event)
        state.bytes += event.footprint
      }
      state.lastRevision = revision
      while state.buffer.count > maxEvents || state.bytes > maxBytes, let first = state.buffer.first {
        // Drop whole revisions so a reader never sees half of one.
        while let head = state.buffer.first, head.revision == first.revision {
          state.bytes -= head.footprint
          state.buffer.removeFirst()
        }
      }
      let waiting = Array(state.waiters.values)
      state.waiters.removeAll()
      return waiting
    }
    waiters.forEach { $0.resume() }
  }

  /// Events after `revision`: up to about `limit` of them, never splitting a revision.
  func read(after revision: Int64, limit: Int = 1000) -> Read {
    state.withLockedValue { state in
      guard state.lastRevision > revision else { return .upToDate }
      guard let first = state.buffer.first, first.revision <= revision + 1 else {
        let bufferStart = state.buffer.first?.revision ?? state.lastRevision + 1
        return .fromLog(through: min(bufferStart - 1, revision + Self.logWindow))
      }
      var index = Self.firstIndex(in: state.buffer, after: revision)
      var events: [WatchEvent] = []
      while index < state.buffer.count {
        let event = state.buffer[index]
        if events.count >= limit, event.revision != events.last?.revision { break }
        events.append(event)
        index += 1
      }
      return .events(events)
    }
  }

  /// Whether an event after `revision`, up to `through`, has a key in `range`; nil when the
  /// buffer does not hold every revision in between.
  func changes(in range: KeyRange, after revision: Int64, through: Int64) -> Bool? {
    state.withLockedValue { state in
      guard through > revision else { return false }
      guard state.lastRevision >= through, let first = state.buffer.first, first.revision <= revision + 1 else {
        return nil
      }
      var index = Self.firstIndex(in: state.buffer, after: revision)
      while index < state.buffer.count, state.buffer[index].revision <= through {
        if range.contains(state.buffer[index].kv.key) { return true }
        index += 1
      }
      return false
    }
  }

  /// Suspends until a revision newer than `revision` is published or the task is cancelled.
  func wait(after revision: Int64) async {
    let id = state.withLockedValue { state -> Int in
      state.nextWaiter += 1
      return state.nextWaiter
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let ready = state.withLockedValue { state -> Bool in
          if state.lastRevision > revision || state.cancelled.remove(id) != nil { return true }
          state.waiters[id] = continuation
          return false
        }
        if ready { continuation.resume() }
      }
    } onCancel: {
      let continuation = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
        if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
        state.cancelled.insert(id)
        return nil
      }
      continuation?.resume()
    }
    // A cancellation that arrived after the wake-up left its mark; clear it.
    state.withLockedValue { _ = $0.cancelled.remove(id) }
  }

  /// Binary search for the first buffered event newer than `revision`.
  private static func firstIndex(in buffer: Deque<WatchEvent>, after revision: Int64) -> Int {
    var low = 0
    var high = buffer.count
    while low < high {
      let middle = (low + high) / 2
      if buffer[middle].revision <= revision { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
