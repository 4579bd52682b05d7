import KubeAPI
import Synchronization

/// Per-Job memory of consecutive pod failures, so replacements are created after an
/// exponential delay (10 s doubling, capped as upstream at 10 minutes) that resets on success.
final class JobBackoffStore: Sendable {
  struct Record: Equatable {
    var failuresAfterLastSuccess = 0
    /// Milliseconds since the epoch.
    var lastFailure: Int64?
  }

  static let initialDelay: Int64 = 10_000
  static let maxDelay: Int64 = 600_000

  private let records = Mutex<[String: Record]>([:])

  func remove(_ key: String) { records.withLock { _ = $0.removeValue(forKey: key) } }

  func update(_ key: String, _ record: Record) { records.withLock { $0[key] = record } }

  /// The record after this sync's newly finished pods: failures after the last success add up.
  func newRecord(_ key: String, succeeded: [JSONValue], failed: [JSONValue]) -> Record {
    var record = records.withLock { $0[key] } ?? Record()
    let successTimes = succeeded.map(JobPod.finishedTime).sorted()
    let failureTimes = failed.map(JobPod.finishedTime).sorted()
    guard let lastSuccess = successTimes.last else {
      guard let lastFailure = failureTimes.last else { return record }
      record.failuresAfterLastSuccess += failureTimes.count
      record.lastFailure = lastFailure
      return record
    }
    record = Record()
    for time in failureTimes.reversed() {
      guard time > lastSuccess else { break }
      if record.lastFailure == nil { record.lastFailure = time }
      record.failuresAfterLastSuccess += 1
    }
    return record
  }

  /// Milliseconds until a replacement may be created; 0 when it may be created now.
  static func remaining(failures: Int, lastFailure: Int64?, now: Int64) -> Int64 {
    guard failures > 0, let lastFailure else { return 0 }
    var delay = initialDelay
    if failures > 1 {
      for _ in 1..<failures {
        delay *= 2
        if delay >= maxDelay {
          delay = maxDelay
          break
        }
      }
    }
    let elapsed = now - lastFailure
    return delay < elapsed ? 0 : delay - elapsed
  }
}

/// Pod UIDs whose tracking finalizer the controller removed but whose update the cache has
/// not shown yet; until then those pods count as already accounted for.
final class FinalizerExpectations: Sendable {
  private let expected = Mutex<[String: Set<String>]>([:])

  func expectRemovals(_ key: String, _ uids: [String]) {
    expected.withLock { $0[key, default: []].formUnion(uids) }
  }

  func removalObserved(_ key: String, _ uid: String) {
    expected.withLock { state in
      state[key]?.remove(uid)
      if state[key]?.isEmpty == true { state[key] = nil }
    }
  }

  func expected(_ key: String) -> Set<String> { expected.withLock { $0[key] ?? [] } }

  func forget(_ key: String) { expected.withLock { _ = $0.removeValue(forKey: key) } }
}
