import Synchronization

/// Wakes one background loop: either when signalled or when its timeout passes. Signals that
/// arrive while the loop is busy are remembered, never lost.
public final class AsyncSignal: Sendable {
  private struct State {
    var pending = false
    var stopped = false
    var waiter: CheckedContinuation<Void, Never>?
  }
  private let state = Mutex(State())

  public init() {}

  public func signal() {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard let waiter = state.waiter else {
        state.pending = true
        return nil
      }
      state.waiter = nil
      return waiter
    }
    waiter?.resume()
  }

  /// Ends the loop: `wait` returns false from now on.
  public func stop() {
    state.withLock { $0.stopped = true }
    signal()
  }

  /// Returns after a signal or `timeout`; false once stopped.
  public func wait(timeout: Duration) async -> Bool {
    let timer = Task { [self] in
      try? await Task.sleep(for: timeout)
      if !Task.isCancelled { signal() }
    }
    defer { timer.cancel() }
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let ready = state.withLock { state -> Bool in
        if state.pending || state.stopped {
          state.pending = false
          return true
        }
        state.waiter = continuation
        return false
      }
      if ready { continuation.resume() }
    }
    return !state.withLock { $0.stopped }
  }
}
