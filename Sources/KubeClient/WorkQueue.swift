import DequeModule
import Synchronization

/// A de-duplicating work queue of object keys, as client-go's: a key queued many times while
/// waiting is processed once, a key is never processed by two workers at once (a change
/// during processing queues it again afterwards), and failures retry with exponential backoff.
public final class WorkQueue: Sendable {
  private struct State {
    var queue: Deque<String> = []
    var dirty: Set<String> = []
    var processing: Set<String> = []
    var failures: [String: Int] = [:]
    var waiters: Deque<CheckedContinuation<String?, Never>> = []
    var shutDown = false
  }

  private let state = Mutex(State())
  let baseDelay: Duration
  let maxDelay: Duration

  public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(300)) {
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
  }

  public func add(_ key: String) {
    let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
      guard !state.shutDown, state.dirty.insert(key).inserted, !state.processing.contains(key) else { return nil }
      return Self.handOut(key, &state)
    }
    waiter?.resume(returning: key)
  }

  /// Gives a dirty key to a waiting worker (marking it processing), or queues it.
  private static func handOut(_ key: String, _ state: inout State) -> CheckedContinuation<String?, Never>? {
    guard let waiter = state.waiters.popFirst() else {
      state.queue.append(key)
      return nil
    }
    state.dirty.remove(key)
    state.processing.insert(key)
    return waiter
  }

  /// Queues the key after a delay (requeue-after, or the next check of a deadline).
  public func add(_ key: String, after delay: Duration) {
    guard delay > .zero else { return add(key) }
    Task { [weak self] in
      try? await Task.sleep(for: delay)
      self?.add(key)
    }
  }

  /// Queues the key again after its backoff: 5 ms doubling per consecutive failure.
  public func addRateLimited(_ key: String) {
    let failures = state.withLock { state in
      state.failures[key, default: 0] += 1
      return state.failures[key]!
    }
    add(key, after: backoff(failures: failures))
  }

  func backoff(failures: Int) -> Duration {
    let exponent = min(failures - 1, 40)
    let delay = baseDelay * Double(1 << exponent)
    return min(delay, maxDelay)
  }

  /// Clears the key's failure count after it succeeded.
  public func forget(_ key: String) {
    state.withLock { _ = $0.failures.removeValue(forKey: key) }
  }

  /// Waits for a key; nil once the queue is shut down.
  public func next() async -> String? {
    await withCheckedContinuation { continuation in
      let key: String?? = state.withLock { state in
        if let key = state.queue.popFirst() {
          state.dirty.remove(key)
          state.processing.insert(key)
          return .some(key)
        }
        if state.shutDown { return .some(nil) }
        state.waiters.append(continuation)
        return .none
      }
      if let key { continuation.resume(returning: key) }
    }
  }

  /// Marks the key processed; if it changed meanwhile it is queued again.
  public func done(_ key: String) {
    let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
      state.processing.remove(key)
      return state.dirty.contains(key) ? Self.handOut(key, &state) : nil
    }
    waiter?.resume(returning: key)
  }

  public var count: Int { state.withLock { $0.queue.count } }

  public func shutDown() {
    let waiters = state.withLock { state in
      state.shutDown = true
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume(returning: nil) }
  }

  /// Runs `workers` loops that take keys and process them until the task is cancelled (which
  /// shuts the queue until the next `run`); a thrown error requeues the key with backoff,
  /// success forgets its failures.
  public func run(workers: Int, _ process: @escaping @Sendable (String) async throws -> Void) async {
    // A controller runs again after it regains leadership: open the queue for the new term.
    state.withLock { $0.shutDown = false }
    await withTaskCancellationHandler {
      await withDiscardingTaskGroup { group in
        for _ in 0..<workers {
          group.addTask {
            while let key = await self.next() {
              do {
                try await process(key)
                self.forget(key)
              } catch {
                self.addRateLimited(key)
              }
              self.done(key)
            }
          }
        }
      }
    } onCancel: {
      self.shutDown()
    }
  }
}
