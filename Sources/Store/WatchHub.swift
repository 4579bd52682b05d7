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

  /// A cursor waiting for changes in its range.
  private struct Waiter {
    let continuation: CheckedContinuation<Int64, Never>
    let range: KeyRange
    /// The revision the cursor has consumed through.
    let after: Int64
    /// No event in `after + 1 ... quietThrough` is in the range.
    var quietThrough: Int64
  }

  private struct State {
    var buffer = Deque<WatchEvent>()
    var bytes = 0
    var lastRevision: Int64
    var waiters: [Int: Waiter] = [:]
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

  /// Appends committed events (whole revisions, in order) and wakes the waiters they concern.
  /// `revision` is the newest revision they complete; a jump past `lastRevision + 1` without
  /// events for the gap (another server's commits seen late) empties the buffer so readers go
  /// to the log, and wakes every waiter.
  ///
  /// A waiter none of the events concern sleeps on, so a busy key range does not wake every
  /// watcher of the others (each resource's watch cache) at every commit; it is woken anyway
  /// before the buffer drops what follows its revision, so that `quietThrough(in:after:)` can
  /// still answer for it.
  func publish(_ events: [WatchEvent], through revision: Int64) {
    let ready = state.withLockedValue { state -> [(CheckedContinuation<Int64, Never>, Int64)] in
      guard revision > state.lastRevision else { return [] }
      let complete = events.first?.revision == state.lastRevision + 1
      // Revisions arriving without their events, or after a gap, are only in the log.
      if !complete {
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
      let bufferStart = state.buffer.first?.revision ?? revision + 1
      var ready: [(CheckedContinuation<Int64, Never>, Int64)] = []
      for (id, var waiter) in state.waiters {
        let concerned = !complete || events.contains { waiter.range.contains($0.kv.key) }
        if !concerned { waiter.quietThrough = revision }
        if concerned || waiter.after + 1 < bufferStart {
          ready.append((waiter.continuation, waiter.quietThrough))
          state.waiters[id] = nil
        } else {
          state.waiters[id] = waiter
        }
      }
      return ready
    }
    for (continuation, quietThrough) in ready { continuation.resume(returning: quietThrough) }
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

  /// The newest revision through which no event after `revision` is in `range`, as far as the
  /// buffer tells; `revision` itself when it cannot tell.
  func quietThrough(in range: KeyRange, after revision: Int64) -> Int64 {
    state.withLockedValue { state in
      guard let first = state.buffer.first, first.revision <= revision + 1 else { return revision }
      var index = Self.firstIndex(in: state.buffer, after: revision)
      while index < state.buffer.count {
        if range.contains(state.buffer[index].kv.key) { return state.buffer[index].revision - 1 }
        index += 1
      }
      return max(revision, state.lastRevision)
    }
  }

  /// Suspends until every revision through `revision` is published or the task is cancelled.
  func waitUntilPublished(_ revision: Int64) async {
    while !Task.isCancelled {
      let last = lastRevision
      if last >= revision { return }
      _ = await wait(after: last, in: .all)
    }
  }

  /// Suspends until a revision newer than `revision` brings a change in `range` (or may have:
  /// see `publish`), or the task is cancelled. Returns the revision through which nothing in
  /// `range` changed, at least `revision`: the cursor may skip to it.
  func wait(after revision: Int64, in range: KeyRange) async -> Int64 {
    let id = state.withLockedValue { state -> Int in
      state.nextWaiter += 1
      return state.nextWaiter
    }
    let quiet = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Int64, Never>) in
        let ready = state.withLockedValue { state -> Bool in
          if state.lastRevision > revision || state.cancelled.remove(id) != nil { return true }
          state.waiters[id] = Waiter(continuation: continuation, range: range, after: revision, quietThrough: revision)
          return false
        }
        if ready { continuation.resume(returning: revision) }
      }
    } onCancel: {
      let waiter = state.withLockedValue { state -> Waiter? in
        if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
        state.cancelled.insert(id)
        return nil
      }
      waiter.map { $0.continuation.resume(returning: $0.quietThrough) }
    }
    // A cancellation that arrived after the wake-up left its mark; clear it.
    state.withLockedValue { _ = $0.cancelled.remove(id) }
    return quiet
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
