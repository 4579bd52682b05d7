import Synchronization

/// What concurrent pulls of one image store share: one download per blob, one unpack per
/// manifest, and the digests in flight, which garbage collection must not delete before the
/// image that needs them is recorded.
final class PullCoordinator: Sendable {
  private struct State {
    var configuration = RegistryConfiguration()
    var running: [String: Shared] = [:]
    var pins: [Digest: Int] = [:]
  }

  private struct Shared {
    var task: Task<Void, Error>
    var waiters: Int
  }

  private let state = Mutex(State())

  var configuration: RegistryConfiguration {
    get { state.withLock { $0.configuration } }
    set { state.withLock { $0.configuration = newValue } }
  }

  /// Runs `work` once for `key` at a time: a caller arriving while it runs waits for that run's
  /// result. The run is cancelled when every caller waiting for it is.
  func once(_ key: String, _ work: @escaping @Sendable () async throws -> Void) async throws {
    let task = state.withLock { state in
      if var shared = state.running[key] {
        shared.waiters += 1
        state.running[key] = shared
        return shared.task
      }
      let task = Task { try await work() }
      state.running[key] = Shared(task: task, waiters: 1)
      return task
    }
    defer {
      state.withLock { state in
        guard var shared = state.running[key], shared.task == task else { return }
        shared.waiters -= 1
        state.running[key] = shared.waiters > 0 ? shared : nil
      }
    }
    try await withTaskCancellationHandler {
      try await task.value
    } onCancel: {
      let alone = state.withLock { $0.running[key].map { $0.task == task && $0.waiters == 1 } ?? false }
      if alone { task.cancel() }
    }
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
