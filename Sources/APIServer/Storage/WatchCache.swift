import DequeModule
import KubeAPI
import Logging
import Store
import Synchronization

/// One resource's objects in memory, fed by one store watch on its prefix, so a thousand
/// watchers and every list cost one store watch. Recent events are kept in a bounded ring
/// for watches that resume from a resourceVersion; older ones get 410 Gone.
final class WatchCache: Sendable {
  enum EventType: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }

  struct Event: Sendable {
    var type: EventType
    var object: CachedObject
    var previous: CachedObject?
  }

  struct Snapshot: Sendable {
    var revision: Int64
    var objects: [CachedObject]
  }

  private struct Watcher {
    var continuation: AsyncStream<Event>.Continuation
  }

  private struct State {
    var objects: [String: CachedObject] = [:]
    var sortedKeys: [String]? = nil
    var revision: Int64 = 0
    /// No change in this cache's range after `revision` through this one (`answersThrough`).
    var quietThrough: Int64 = 0
    var ready = false
    var ring = Deque<Event>()
    /// The oldest revision a watch may resume after without missing events.
    var ringStart: Int64 = 0
    var watchers: [Int: Watcher] = [:]
    var nextWatcher = 0
    var waiters: [(Int64, CheckedContinuation<Void, Never>)] = []
  }

  let definition: ResourceDefinition
  /// The store keys this cache follows.
  private let range: KeyRange
  /// Reads the log, opening sealed values.
  private let objects: ObjectStore
  private var log: RevisionLog { objects.log }
  private let logger: Logger
  private let state = Mutex(State())
  static let ringCapacity = 1024
  static let watcherBuffer = 4096

  init(definition: ResourceDefinition, objects: ObjectStore, logger: Logger) {
    self.definition = definition
    range = .prefix(Array(definition.storagePrefix.utf8))
    self.objects = objects
    self.logger = logger
  }

  /// Lists, then follows the store until cancelled; relists if it ever falls below compaction.
  func run() async {
    while !Task.isCancelled {
      do {
        let result = try await log.range(RangeRequest(range: range))
        reset(result.kvs, revision: result.revision)
        var cursor = try log.watch(range, from: result.revision + 1)
        while !Task.isCancelled {
          let events = try await cursor.next()
          apply(events, through: cursor.revision)
        }
      } catch is CancellationError {
        break
      } catch {
        if Task.isCancelled { break }
        logger.warning(
          "watch cache relisting", metadata: ["resource": "\(definition.qualifiedPlural)", "error": "\(error)"])
        try? await Task.sleep(for: .milliseconds(200))
      }
    }
    let (watchers, waiters) = state.withLock { state in
      defer {
        state.watchers = [:]
        state.waiters = []
      }
      return (Array(state.watchers.values), state.waiters)
    }
    // Finishing runs the watchers' termination handlers, which take the lock: never under it.
    for watcher in watchers { watcher.continuation.finish() }
    for (_, waiter) in waiters { waiter.resume() }
  }

  private func reset(_ kvs: [KeyValue], revision: Int64) {
    var objects: [String: CachedObject] = [:]
    for kv in kvs {
      if let kv = self.objects.readable(kv), let object = CachedObject(kv: kv, definition: definition) {
        objects[object.key] = object
      }
    }
    // Watchers that were following cannot know what they missed: end them so they relist.
    let stale = state.withLock { state in
      state.objects = objects
      state.sortedKeys = nil
      state.ring.removeAll()
      state.ringStart = revision
      defer { state.watchers = [:] }
      state.ready = true
      return (Array(state.watchers.values), advance(&state, to: revision))
    }
    for watcher in stale.0 { watcher.continuation.finish() }
    for waiter in stale.1 { waiter.resume() }
  }

  private func apply(_ events: [Store.WatchEvent], through revision: Int64) {
    var prepared: [(String, CachedObject?, Int64)] = []
    for event in events {
      let key = String(decoding: event.kv.key, as: UTF8.self)
      switch event.kind {
      case .put:
        guard let kv = objects.readable(event.kv) else { continue }
        prepared.append((key, CachedObject(kv: kv, definition: definition), event.revision))
      case .delete: prepared.append((key, nil, event.revision))
      }
    }
    let (slow, ready) = state.withLock { state in
      var slow: [Watcher] = []
      for (key, object, revision) in prepared {
        let previous = state.objects[key]
        let event: Event
        if let object {
          if previous == nil { state.sortedKeys = nil }
          state.objects[key] = object
          event = Event(type: previous == nil ? .added : .modified, object: object, previous: previous)
        } else {
          guard var gone = state.objects.removeValue(forKey: key) else { continue }
          state.sortedKeys = nil
          // A deleted object is reported at the deletion's revision, as upstream does.
          var value = gone.object
          CachedObject.stamp(&value, revision: revision)
          gone = CachedObject(object: value, key: key, revision: revision, definition: definition)
          event = Event(type: .deleted, object: gone, previous: previous)
        }
        state.ring.append(event)
        if state.ring.count > WatchCache.ringCapacity, let dropped = state.ring.popFirst() {
          state.ringStart = dropped.object.revision
        }
        for (id, watcher) in state.watchers {
          // A watcher that cannot keep up is ended; its client relists, as upstream's do.
          if case .dropped = watcher.continuation.yield(event) {
            slow.append(watcher)
            state.watchers[id] = nil
          }
        }
      }
      return (slow, advance(&state, to: revision))
    }
    for watcher in slow { watcher.continuation.finish() }
    for waiter in ready { waiter.resume() }
  }

  /// Moves the cache's revision forward; returns the waiters to resume (outside the lock).
  private func advance(_ state: inout State, to revision: Int64) -> [CheckedContinuation<Void, Never>] {
    state.revision = max(state.revision, revision)
    let current = answersThrough(&state)
    let ready = state.waiters.filter { $0.0 <= current }.map(\.1)
    state.waiters.removeAll { $0.0 <= current }
    return ready
  }

  /// The revision the cache answers as of: the newest it applied, or a later one when only
  /// other resources changed since. Its store watch is not woken for those, so a busy resource
  /// does not wake every cache at every commit; nor must a consistent read wait for this cache's
  /// task to run, which on two busy cores was most of a get's p99.
  /// Before its first list the cache answers for nothing.
  private func answersThrough(_ state: inout State) -> Int64 {
    guard state.ready else { return 0 }
    // What was quiet stays quiet: the next look at the watch buffer starts after it.
    state.quietThrough = log.quietThrough(in: range, after: max(state.revision, state.quietThrough))
    return state.quietThrough
  }

  /// Whether the cache already answers as of `revision`.
  func isFresh(through revision: Int64) -> Bool {
    state.withLock { $0.ready && answersThrough(&$0) >= revision }
  }

  /// Waits until the cache answers as of `revision` (consistent reads).
  func waitUntilFresh(_ revision: Int64) async {
    if isFresh(through: revision) { return }
    // Once the watch buffer holds `revision`, whatever keeps the cache behind it is a change
    // in its range, which wakes its store watch; each apply then resumes the waiters it caught
    // up with.
    await log.waitUntilPublished(revision)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let resumeNow = state.withLock { state -> Bool in
        if state.ready && answersThrough(&state) >= revision { return true }
        state.waiters.append((revision, continuation))
        return false
      }
      if resumeNow { continuation.resume() }
    }
  }

  var revision: Int64 { state.withLock { answersThrough(&$0) } }

  func object(key: String) -> CachedObject? { state.withLock { $0.objects[key] } }

  /// Objects under `prefix` in key order, from the key after `after`.
  func snapshot(prefix: String) -> Snapshot {
    state.withLock { state in
      if state.sortedKeys == nil { state.sortedKeys = state.objects.keys.sorted() }
      let keys = state.sortedKeys!
      var low = 0
      var high = keys.count
      while low < high {
        let mid = (low + high) / 2
        if keys[mid] < prefix { low = mid + 1 } else { high = mid }
      }
      var objects: [CachedObject] = []
      var index = low
      while index < keys.count, keys[index].hasPrefix(prefix) {
        objects.append(state.objects[keys[index]]!)
        index += 1
      }
      return Snapshot(revision: answersThrough(&state), objects: objects)
    }
  }

  enum WatchStart: Sendable {
    /// Synthetic ADDED events for every current object first, then changes.
    case current
    /// Changes after this revision.
    case after(Int64)
  }

  struct Subscription: Sendable {
    var initial: [Event]
    var revision: Int64
    var events: AsyncStream<Event>
    var cancel: @Sendable () -> Void
  }

  /// Starts a watch atomically with its initial events, so nothing falls between them.
  func subscribe(_ start: WatchStart) throws(APIError) -> Subscription {
    let (stream, continuation) = AsyncStream.makeStream(
      of: Event.self, bufferingPolicy: .bufferingOldest(WatchCache.watcherBuffer))
    let result: Result<(Int, [Event], Int64), APIError> = state.withLock { state in
      var initial: [Event] = []
      switch start {
      case .current:
        if state.sortedKeys == nil { state.sortedKeys = state.objects.keys.sorted() }
        initial = state.sortedKeys!.map { Event(type: .added, object: state.objects[$0]!, previous: nil) }
      case .after(let revision):
        if revision < state.ringStart {
          return .failure(APIError.gone("too old resource version: \(revision) (\(state.ringStart + 1))"))
        }
        initial = state.ring.filter { $0.object.revision > revision }
      }
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = Watcher(continuation: continuation)
      return .success((id, initial, answersThrough(&state)))
    }
    let (id, initial, revision) = try result.get()
    let cancel: @Sendable () -> Void = { [weak self] in
      let watcher = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
      watcher?.continuation.finish()
    }
    continuation.onTermination = { _ in cancel() }
    return Subscription(initial: initial, revision: revision, events: stream, cancel: cancel)
  }
}
