import KubeAPI

/// A change in the cluster that may make parked pods schedulable (upstream's ClusterEvent).
public enum ClusterEvent: String, Sendable, Hashable {
  case nodeAdded, nodeUpdated, nodeDeleted
  case assignedPodAdded, assignedPodUpdated, assignedPodDeleted
  /// The unscheduled pod itself changed while it was being scheduled.
  case unscheduledPodUpdated
  case persistentVolumeClaimChanged, persistentVolumeChanged, storageClassChanged
  case namespaceChanged
  /// Retry every parked pod (e.g. after the loop's own state was reset).
  case all
}

extension SchedulingQueue {
  /// Which events can undo each plugin's rejection (upstream's EventsToRegister).
  static let pluginEvents: [String: Set<ClusterEvent>] = [
    "NodeUnschedulable": [.nodeAdded, .nodeUpdated],
    "NodeName": [.nodeAdded],
    "TaintToleration": [.nodeAdded, .nodeUpdated],
    "NodeAffinity": [.nodeAdded, .nodeUpdated],
    "NodePorts": [.nodeAdded, .nodeUpdated, .assignedPodDeleted],
    "NodeResourcesFit": [.nodeAdded, .nodeUpdated, .assignedPodDeleted, .assignedPodUpdated],
    "VolumeBinding": [
      .nodeAdded, .nodeUpdated, .persistentVolumeClaimChanged, .persistentVolumeChanged, .storageClassChanged,
    ],
    "PodTopologySpread": [
      .nodeAdded, .nodeUpdated, .nodeDeleted, .assignedPodAdded, .assignedPodUpdated, .assignedPodDeleted,
    ],
    "InterPodAffinity": [
      .nodeAdded, .nodeUpdated, .assignedPodAdded, .assignedPodUpdated, .assignedPodDeleted, .namespaceChanged,
    ],
  ]

  static func mayHelp(_ event: ClusterEvent, plugins: Set<String>) -> Bool {
    if plugins.isEmpty || event == .all || event == .unscheduledPodUpdated { return true }
    return plugins.contains { pluginEvents[$0]?.contains(event) ?? true }
  }

  /// UID, or namespace/name for objects without one.
  static func key(_ pod: JSONValue) -> String {
    let meta = pod.metadata
    if let uid = meta.uid, !uid.isEmpty { return uid }
    return (meta.namespace ?? "default") + "/" + (meta.name ?? "")
  }

  static func priority(_ pod: JSONValue) -> Int64 { pod["spec"]?["priority"]?.intValue ?? 0 }

  static func isGated(_ pod: JSONValue) -> Bool { !(pod["spec"]?["schedulingGates"]?.arrayValue?.isEmpty ?? true) }

  /// The pod without fields that change without making it more schedulable (upstream's isPodUpdated).
  static func strippedForComparison(_ pod: JSONValue) -> JSONValue {
    var copy = pod
    for field in ["resourceVersion", "generation", "managedFields", "finalizers"] {
      copy.setValue(nil, atPath: ["metadata", field])
    }
    copy.setValue(nil, atPath: ["status"])
    return copy
  }

  /// 1 s for the first attempt, doubling per further attempt, at most `maxBackoff`.
  func backoffDuration(attempts: Int) -> Duration {
    var duration = initialBackoff
    var attempt = 1
    while attempt < attempts {
      duration *= 2
      if duration >= maxBackoff { return maxBackoff }
      attempt += 1
    }
    return min(duration, maxBackoff)
  }

  func backoffExpiry(_ queued: QueuedPod) -> Duration { queued.timestamp + backoffDuration(attempts: queued.attempts) }

  /// Back to backoffQ when its backoff has not ended yet, else to activeQ.
  mutating func moveOut(_ key: String, now: Duration) {
    guard let entry = entries[key] else { return }
    if backoffExpiry(entry.queued) > now { pushBackoff(key) } else { moveToActive(key) }
  }

  mutating func moveToActive(_ key: String) { pushActive(key) }

  mutating func pushActive(_ key: String) {
    guard var entry = entries[key] else { return }
    nextSequence += 1
    entry.sequence = nextSequence
    entry.location = .active
    entries[key] = entry
    activeHeap.push(
      ActiveItem(priority: entry.priority, timestamp: entry.queued.timestamp, sequence: nextSequence, key: key))
  }

  mutating func pushBackoff(_ key: String) {
    guard var entry = entries[key] else { return }
    nextSequence += 1
    entry.sequence = nextSequence
    entry.location = .backoff
    entries[key] = entry
    backoffHeap.push(BackoffItem(expiry: backoffExpiry(entry.queued), sequence: nextSequence, key: key))
  }
}

/// activeQ order: higher priority first, then the earlier timestamp, then insertion order.
struct ActiveItem: Comparable, Sendable {
  var priority: Int64
  var timestamp: Duration
  var sequence: UInt64
  var key: String

  static func < (a: ActiveItem, b: ActiveItem) -> Bool {
    if a.priority != b.priority { return a.priority > b.priority }
    if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
    return a.sequence < b.sequence
  }

  static func == (a: ActiveItem, b: ActiveItem) -> Bool { a.sequence == b.sequence }
}

/// backoffQ order: the earliest backoff expiry first.
struct BackoffItem: Comparable, Sendable {
  var expiry: Duration
  var sequence: UInt64
  var key: String

  static func < (a: BackoffItem, b: BackoffItem) -> Bool {
    a.expiry != b.expiry ? a.expiry < b.expiry : a.sequence < b.sequence
  }

  static func == (a: BackoffItem, b: BackoffItem) -> Bool { a.sequence == b.sequence }
}

/// A binary min-heap; stale items are skipped by the caller (lazy deletion).
struct BinaryHeap<Element: Comparable & Sendable>: Sendable {
  private var items: [Element] = []

  var isEmpty: Bool { items.isEmpty }

  func peekMin() -> Element? { items.first }

  mutating func push(_ element: Element) {
    items.append(element)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard items[child] < items[parent] else { break }
      items.swapAt(child, parent)
      child = parent
    }
  }

  @discardableResult
  mutating func popMin() -> Element? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let minimum = items.removeLast()
    var parent = 0
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < items.count && items[left] < items[smallest] { smallest = left }
      if right < items.count && items[right] < items[smallest] { smallest = right }
      if smallest == parent { break }
      items.swapAt(parent, smallest)
      parent = smallest
    }
    return minimum
  }
}
