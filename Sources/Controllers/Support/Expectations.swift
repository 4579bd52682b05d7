import Synchronization

/// How many creations and deletions a controller is still waiting to see in its cache
/// (client-go's ControllerExpectations). Until they arrive, or five minutes pass, the
/// controller does not act on a count the cache has not caught up with, so it never creates
/// the same replicas twice.
final class Expectations: Sendable {
  private struct Pending {
    var adds: Int
    var deletes: Set<String>
    var since: ContinuousClock.Instant
  }

  private let pending = Mutex<[String: Pending]>([:])
  static let timeout = Duration.seconds(300)

  func expectCreations(_ key: String, _ count: Int) {
    pending.withLock { $0[key] = Pending(adds: count, deletes: [], since: .now) }
  }

  /// Deletions are tracked by pod key so a repeated delete event is counted once.
  func expectDeletions(_ key: String, _ keys: [String]) {
    pending.withLock { $0[key] = Pending(adds: 0, deletes: Set(keys), since: .now) }
  }

  func creationObserved(_ key: String) {
    pending.withLock { if let adds = $0[key]?.adds, adds > 0 { $0[key]?.adds = adds - 1 } }
  }

  func deletionObserved(_ key: String, object: String) {
    pending.withLock { _ = $0[key]?.deletes.remove(object) }
  }

  /// True once everything expected was observed (or the expectation expired).
  func satisfied(_ key: String) -> Bool {
    pending.withLock { pending in
      guard let entry = pending[key] else { return true }
      if (entry.adds <= 0 && entry.deletes.isEmpty) || ContinuousClock.now - entry.since > Self.timeout {
        pending[key] = nil
        return true
      }
      return false
    }
  }

  func forget(_ key: String) {
    pending.withLock { _ = $0.removeValue(forKey: key) }
  }
}
