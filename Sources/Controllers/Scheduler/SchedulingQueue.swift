import KubeAPI

/// kube-scheduler's scheduling queue as pure logic: activeQ (priority, then enqueue time),
/// backoffQ (1 s doubling to 10 s per attempt), and unschedulable pods parked until a cluster event
/// may help them or 5 minutes pass. Time is a monotonic `Duration` passed in by the caller, so
/// the loop supplies `ContinuousClock` readings and tests move time by hand.
public struct SchedulingQueue: Sendable {
  /// A pod handed out by `pop`, to be given back through `addUnschedulable` or `done`.
  public struct QueuedPod: Sendable {
    public var pod: JSONValue
    /// Scheduling attempts so far, this one included.
    public var attempts: Int
    /// When the pod was last (re)queued; orders equal priorities and starts the backoff.
    public var timestamp: Duration
    public var initialAttemptTimestamp: Duration?
  }

  enum Location: Sendable { case active, backoff, unschedulable, gated, inFlight }

  struct Entry: Sendable {
    var queued: QueuedPod
    var location: Location
    var priority: Int64
    /// Bumped on every heap insertion so stale heap items are skipped.
    var sequence: UInt64 = 0
    var unschedulablePlugins: Set<String> = []
    /// Events seen while the pod was being scheduled (in flight).
    var inFlightEvents: [ClusterEvent] = []
  }

  public let initialBackoff: Duration
  public let maxBackoff: Duration
  public let maxInUnschedulable: Duration

  var entries: [String: Entry] = [:]
  var activeHeap = BinaryHeap<ActiveItem>()
  var backoffHeap = BinaryHeap<BackoffItem>()
  var nextSequence: UInt64 = 0
  var lastLeftoverFlush: Duration = .zero

  public init(
    initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(10),
    maxInUnschedulable: Duration = .seconds(300)
  ) {
    self.initialBackoff = initialBackoff
    self.maxBackoff = maxBackoff
    self.maxInUnschedulable = maxInUnschedulable
  }

  // MARK: - Pod events

  /// A new unscheduled pod (an existing one is treated as an update). Gated pods wait for their gates.
  public mutating func add(_ pod: JSONValue, now: Duration) {
    let key = Self.key(pod)
    if entries[key] != nil {
      update(pod, now: now)
      return
    }
    let queued = QueuedPod(pod: pod, attempts: 0, timestamp: now, initialAttemptTimestamp: nil)
    var entry = Entry(queued: queued, location: .gated, priority: Self.priority(pod))
    if Self.isGated(pod) {
      entries[key] = entry
    } else {
      entry.location = .active
      entries[key] = entry
      pushActive(key)
    }
  }

  /// A changed unscheduled pod: updated in place; a parked pod whose spec changed (or whose
  /// scheduling gates were removed) goes back to be retried.
  public mutating func update(_ pod: JSONValue, now: Duration) {
    let key = Self.key(pod)
    guard var entry = entries[key] else {
      add(pod, now: now)
      return
    }
    let old = entry.queued.pod
    entry.queued.pod = pod
    entry.priority = Self.priority(pod)
    entries[key] = entry
    switch entry.location {
    case .inFlight:
      entries[key]?.inFlightEvents.append(.unscheduledPodUpdated)
    case .active:
      pushActive(key)
    case .backoff:
      pushBackoff(key)
    case .gated:
      if !Self.isGated(pod) {
        entries[key]?.queued.timestamp = now
        moveToActive(key)
      }
    case .unschedulable:
      if Self.strippedForComparison(old) != Self.strippedForComparison(pod) { moveOut(key, now: now) }
    }
  }

  /// The pod was deleted or got assigned elsewhere; it leaves every queue.
  public mutating func delete(_ pod: JSONValue) { entries[Self.key(pod)] = nil }

  /// The next pod to schedule (highest priority, then oldest), after moving pods whose backoff ended.
  public mutating func pop(now: Duration) -> QueuedPod? {
    flush(now: now)
    while let item = activeHeap.popMin() {
      guard var entry = entries[item.key], entry.location == .active, entry.sequence == item.sequence else { continue }
      entry.location = .inFlight
      entry.queued.attempts += 1
      if entry.queued.initialAttemptTimestamp == nil { entry.queued.initialAttemptTimestamp = now }
      entry.inFlightEvents = []
      entries[item.key] = entry
      return entry.queued
    }
    return nil
  }

  /// The attempt for `pod` ended with a binding: it leaves the queue.
  public mutating func done(_ pod: JSONValue) {
    let key = Self.key(pod)
    if entries[key]?.location == .inFlight { entries[key] = nil }
  }

  /// The attempt failed. With the plugins that rejected it, the pod parks until an event that may
  /// help (or goes to backoff if such an event came during the attempt); with none (an error),
  /// it goes to backoff. A pod deleted meanwhile is dropped.
  public mutating func addUnschedulable(_ queued: QueuedPod, plugins: Set<String>, now: Duration) {
    let key = Self.key(queued.pod)
    guard var entry = entries[key], entry.location == .inFlight else { return }
    entry.queued.attempts = queued.attempts
    entry.queued.timestamp = now
    entry.unschedulablePlugins = plugins
    let helped = entry.inFlightEvents.contains { Self.mayHelp($0, plugins: plugins) }
    entry.inFlightEvents = []
    entries[key] = entry
    if plugins.isEmpty || helped {
      pushBackoff(key)
    } else {
      entries[key]?.location = .unschedulable
    }
  }

  // MARK: - Cluster events and time

  /// A cluster event: parked pods it may help go to backoff (if still backing off) or activeQ;
  /// pods being scheduled remember it for when they come back.
  public mutating func moveAllToActiveOrBackoff(event: ClusterEvent, now: Duration) {
    for (key, entry) in entries {
      switch entry.location {
      case .unschedulable where Self.mayHelp(event, plugins: entry.unschedulablePlugins):
        moveOut(key, now: now)
      case .inFlight:
        entries[key]?.inFlightEvents.append(event)
      default:
        break
      }
    }
  }

  /// Moves pods whose backoff expired to activeQ and, every 30 s, pods parked longer than
  /// `maxInUnschedulable` back to be retried. `pop` calls it; the loop may call it on a timer.
  public mutating func flush(now: Duration) {
    while let item = backoffHeap.peekMin(), item.expiry <= now {
      backoffHeap.popMin()
      guard let entry = entries[item.key], entry.location == .backoff, entry.sequence == item.sequence else { continue }
      moveToActive(item.key)
    }
    if now - lastLeftoverFlush >= .seconds(30) || now < lastLeftoverFlush {
      lastLeftoverFlush = now
      for (key, entry) in entries where entry.location == .unschedulable {
        if now - entry.queued.timestamp >= maxInUnschedulable { moveOut(key, now: now) }
      }
    }
  }

  /// When `pop` may next return a pod if nothing else happens (now when activeQ is not empty),
  /// nil when no pod waits on time.
  public func nextWakeup(now: Duration) -> Duration? {
    if entries.values.contains(where: { $0.location == .active }) { return now }
    var earliest: Duration?
    for entry in entries.values {
      let due: Duration
      switch entry.location {
      case .backoff: due = backoffExpiry(entry.queued)
      case .unschedulable: due = entry.queued.timestamp + maxInUnschedulable
      default: continue
      }
      earliest = min(earliest ?? due, due)
    }
    return earliest
  }

  /// Numbers of pods in activeQ, backoffQ, parked unschedulable (gated included), and in flight.
  public var counts: (active: Int, backoff: Int, unschedulable: Int, inFlight: Int) {
    var result = (active: 0, backoff: 0, unschedulable: 0, inFlight: 0)
    for entry in entries.values {
      switch entry.location {
      case .active: result.active += 1
      case .backoff: result.backoff += 1
      case .unschedulable, .gated: result.unschedulable += 1
      case .inFlight: result.inFlight += 1
      }
    }
    return result
  }

  public func contains(_ pod: JSONValue) -> Bool { entries[Self.key(pod)] != nil }
}
