import Logging
import Synchronization

/// One informer per resource type, shared by every controller that watches it, so 3,000 pods
/// are cached once however many controllers look at them.
public final class SharedInformers: Sendable {
  public let client: KubeClient
  let logger: Logger
  private let informers = Mutex<[ResourceType: Informer]>([:])
  private let started = Mutex<[ResourceType: Task<Void, Never>]>([:])

  public init(client: KubeClient, logger: Logger = Logger(label: "informers")) {
    self.client = client
    self.logger = logger
  }

  /// The informer for a type; created on first use and started at once if `run` already runs.
  public func informer(_ type: ResourceType) -> Informer {
    let (informer, created) = informers.withLock { informers in
      if let existing = informers[type] { return (existing, false) }
      let informer = Informer(client: client, type: type, resync: .seconds(300), logger: logger)
      informers[type] = informer
      return (informer, true)
    }
    if created { start(informer) }
    return informer
  }

  /// The cache of a type, which must have been synced.
  public func cache(_ type: ResourceType) -> ObjectCache { informer(type).cache }

  /// Waits until every informer asked for so far has its first list.
  public func waitForSync() async {
    for informer in informers.withLock({ Array($0.values) }) { await informer.waitForSync() }
  }

  /// Stops and forgets every informer; the next `informer(_:)` call starts a fresh one.
  public func stop() {
    let tasks = started.withLock { tasks in
      defer { tasks = [:] }
      return Array(tasks.values)
    }
    informers.withLock { $0 = [:] }
    for task in tasks { task.cancel() }
  }

  private func start(_ informer: Informer) {
    started.withLock { tasks in
      tasks[informer.type] = Task { await informer.run() }
    }
  }
}
