import KubeAPI
import KubeClient
import Synchronization

/// The resourceVersion of the controllers' last write of each object, so a status computed
/// from an informer cache that has not yet seen that write is not sent: it would fail with a
/// conflict (an update carries the cached, older resourceVersion), and the watch event of the
/// earlier write queues the object again anyway. In a 3,000-pod burst more than half of the
/// ReplicaSet and Deployment status updates conflicted before this.
public final class WrittenVersions: Sendable {
  private let versions = Mutex<[String: Int64]>([:])

  public init() {}

  /// Remembers a write's result (the object the API server returned).
  func record(_ type: ResourceType, _ written: JSONValue) {
    guard let version = Int64(written.metadata.resourceVersion ?? "") else { return }
    let key = Self.key(type, written)
    versions.withLock { $0[key] = max($0[key] ?? 0, version) }
  }

  /// Whether `object` (read from a cache) already includes the last write of it. Forgets the
  /// write once it does, so the table only holds writes still in flight.
  func includesLastWrite(_ type: ResourceType, _ object: JSONValue) -> Bool {
    guard let version = Int64(object.metadata.resourceVersion ?? "") else { return true }
    let key = Self.key(type, object)
    return versions.withLock { versions in
      guard let written = versions[key] else { return true }
      if version < written { return false }
      versions[key] = nil
      return true
    }
  }

  private static func key(_ type: ResourceType, _ object: JSONValue) -> String {
    type.resource + "/" + ObjectCache.key(object)
  }
}
