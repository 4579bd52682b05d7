/// Why a DaemonSet or StatefulSet sync could not finish; the work queue retries it with backoff,
/// and the message names the object and what is being waited for.
enum WorkloadControllerError: Error, CustomStringConvertible {
  /// The cached collision count is older than the stored one; retried once the cache catches up.
  case staleCollisionCount(String)
  /// A ControllerRevision name is taken by a different template; collisionCount was raised.
  case revisionNameCollision(String, String)
  /// A PersistentVolumeClaim the pod needs is being deleted; retried until it is gone.
  case claimBeingDeleted(String, String)
  /// Several creations or deletions failed; the first messages are kept.
  case failed(String, [String])

  var description: String {
    switch self {
    case .staleCollisionCount(let owner):
      return "\(owner): found a stale collision count; will retry once the cache has the stored status"
    case .revisionNameCollision(let name, let owner):
      return
        "\(owner): ControllerRevision \(name) already exists with another template; collisionCount raised, retrying"
    case .claimBeingDeleted(let claim, let pod):
      return "pvc \(claim) is being deleted; pod \(pod) waits until it is gone and is recreated"
    case .failed(let owner, let messages):
      return "\(owner): \(messages.prefix(3).joined(separator: "; "))"
    }
  }
}
