import Synchronization

/// What concurrent pulls of one image store share: one download per blob, one unpack per
/// manifest, and the digests in flight, which garbage collection must not delete before the
/// image that needs them is recorded.
final class PullCoordinator: Sendable {
  private struct State {
    var configuration = RegistryConfiguration()
    var running: [String: Task<Void, Error>] = [:]
    var pins: [Digest: Int] = [:]
  }

  private let state = Mutex(State())

  var configuration: RegistryConfiguration {
    get { state.withLock { $0.configuration } }
    set { state.withLock { $0.configuration = newValue } }
  }

  /// Runs `work` once for `key` at a time: a caller arriving while it runs waits for that run's result.
  func once(_ key: String, _ work: @escaping @Sendable () async throws -> Void) async throws {
    let task = state.withLock { state in
      if let running = state.running[key] { return running }
      let task = Task { try await work() }
      state.running[key] = task
      return task
    }
    defer { state.withLock { state in if state.running[key] == task { state.running[key] = nil } } }
    try await task.value
  }

  /// Keeps digests (blobs and snapshot chain IDs) from garbage collection until `unpin`.
  func pin(_ digests: [Digest]) {
    state.withLock { state in for digest in digests { state.pins[digest, default: 0] += 1 } }
  }

  func unpin(_ digests: [Digest]) {
    state.withLock { state in
      for digest in digests {
        let count = (state.pins[digest] ?? 1) - 1
        state.pins[digest] = count > 0 ? count : nil
      }
    }
  }

  var pinned: Set<Digest> { state.withLock { Set($0.pins.keys) } }
}
