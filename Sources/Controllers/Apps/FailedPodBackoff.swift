import Synchronization

/// Per-node backoff for replacing failed daemon pods (upstream's flowcontrol.Backoff, 1 s
/// doubling to 15 min), so a kubelet that keeps rejecting a pod is not hot-looped.
final class FailedPodBackoff: Sendable {
  private struct Entry {
    var delay: Duration
    var updated: ContinuousClock.Instant
  }

  private let entries = Mutex<[String: Entry]>([:])
  let initial: Duration
  let maximum: Duration

  init(initial: Duration = .seconds(1), maximum: Duration = .seconds(900)) {
    self.initial = initial
    self.maximum = maximum
  }

  /// The remaining wait when `key` is still backing off since its last failure, else nil.
  func remaining(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
    entries.withLock { entries in
      guard let entry = entries[key], now - entry.updated < entry.delay else { return nil }
      return entry.delay - (now - entry.updated)
    }
  }

  /// Records a failure: the first (or one after a long quiet spell) waits `initial`, then doubles.
  func next(_ key: String, now: ContinuousClock.Instant = .now) {
    entries.withLock { entries in
      if let entry = entries[key], now - entry.updated <= maximum * 2 {
        entries[key] = Entry(delay: min(entry.delay * 2, maximum), updated: now)
      } else {
        entries[key] = Entry(delay: initial, updated: now)
      }
      if entries.count > 4096 { entries = entries.filter { now - $0.value.updated <= maximum * 2 } }
    }
  }
}
