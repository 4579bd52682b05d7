import KubeAPI
import Logging
import Synchronization

/// What changed in an informer's cache.
public enum InformerEvent: Sendable {
  case added(JSONValue)
  /// Also delivered on resync with `old == new`, so level-based controllers recheck everything.
  case updated(old: JSONValue, new: JSONValue)
  case deleted(JSONValue)

  /// The object as it is now (or was, when deleted).
  public var object: JSONValue {
    switch self {
    case .added(let object), .deleted(let object): return object
    case .updated(_, let new): return new
    }
  }
}

/// Keeps a cache of one collection current with list + watch: relists on 410 Gone, rewatches
/// when a watch times out, backs off on errors, and tells handlers about every change.
public final class Informer: Sendable {
  public typealias Handler = @Sendable (InformerEvent) -> Void

  public let type: ResourceType
  public let cache = ObjectCache()
  let client: KubeClient
  let namespace: String?
  /// Narrows the informer to matching objects, e.g. a kubelet's `spec.nodeName=<node>`.
  let fieldSelector: String?
  let resync: Duration?
  let logger: Logger
  private let handlers = Mutex<[Handler]>([])
  private let sync = Mutex<(synced: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

  public init(
    client: KubeClient, type: ResourceType, namespace: String? = nil, fieldSelector: String? = nil,
    resync: Duration? = nil, logger: Logger = Logger(label: "informer")
  ) {
    self.client = client
    self.type = type
    self.namespace = namespace
    self.fieldSelector = fieldSelector
    self.resync = resync
    self.logger = logger
  }

  /// Adds a handler; it first hears about every object already cached.
  public func onEvent(_ handler: @escaping Handler) {
    handlers.withLock { $0.append(handler) }
    for object in cache.list() { handler(.added(object)) }
  }

  public var hasSynced: Bool { sync.withLock { $0.synced } }

  /// Returns once the first list has been loaded into the cache.
  public func waitForSync() async {
    await withCheckedContinuation { continuation in
      let ready = sync.withLock { state in
        if state.synced { return true }
        state.waiters.append(continuation)
        return false
      }
      if ready { continuation.resume() }
    }
  }

  /// Lists and watches until cancelled.
  public func run() async {
    var backoff = Duration.milliseconds(200)
    while !Task.isCancelled {
      do {
        var revision = try await relist()
        backoff = .milliseconds(200)
        var lastResync = ContinuousClock.now
        while !Task.isCancelled {
          revision = try await watch(from: revision)
          if let resync, ContinuousClock.now - lastResync >= resync {
            lastResync = .now
            for object in cache.list() { notify(.updated(old: object, new: object)) }
          }
        }
      } catch {
        if Task.isCancelled { break }
        if !error.isGone {
          logger.debug("informer retrying", metadata: ["resource": "\(type)", "error": "\(error)"])
          try? await Task.sleep(for: backoff)
          backoff = min(backoff * 2, .seconds(30))
        }
      }
    }
  }

  /// Loads the whole collection, tells handlers what differs from the cache, answers its revision.
  private func relist() async throws -> String {
    var items: [JSONValue] = []
    var token: String?
    var revision = ""
    repeat {
      let page = try await client.list(
        type, namespace: namespace, fieldSelector: fieldSelector, limit: 500, continueToken: token)
      items += page.items
      token = page.continueToken
      revision = page.resourceVersion
    } while token != nil
    var seen = Set<String>()
    for object in items {
      seen.insert(ObjectCache.key(object))
      if let old = cache.upsert(object) {
        if old != object { notify(.updated(old: old, new: object)) }
      } else {
        notify(.added(object))
      }
    }
    for object in cache.list() where !seen.contains(ObjectCache.key(object)) {
      cache.remove(object)
      notify(.deleted(object))
    }
    markSynced()
    return revision
  }

  /// Applies one watch's events; answers the revision to continue from when the watch ends.
  private func watch(from revision: String) async throws -> String {
    var revision = revision
    let events = try await client.watch(
      type, namespace: namespace, resourceVersion: revision, fieldSelector: fieldSelector,
      timeoutSeconds: Int.random(in: 300...600))
    for try await event in events {
      if let version = event.object.metadata.resourceVersion { revision = version }
      switch event.type {
      case .added, .modified:
        if let old = cache.upsert(event.object) {
          notify(.updated(old: old, new: event.object))
        } else {
          notify(.added(event.object))
        }
      case .deleted:
        cache.remove(event.object)
        notify(.deleted(event.object))
      case .bookmark, .error:
        break
      }
    }
    return revision
  }

  private func notify(_ event: InformerEvent) {
    for handler in handlers.withLock({ $0 }) { handler(event) }
  }

  private func markSynced() {
    let waiters = sync.withLock { state in
      state.synced = true
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume() }
  }
}

extension Error {
  var isGone: Bool { (self as? KubeClientError)?.isGone ?? false }
}
