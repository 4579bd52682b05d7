import KubeAPI
import KubeClient

/// A DaemonSet's ControllerRevisions: one per distinct template, the current one always the
/// highest numbered (so `kubectl rollout undo` makes an old template current again), old ones
/// beyond revisionHistoryLimit deleted once no pod runs them.
extension DaemonSetController {
  /// The revision of the current template (created or renumbered when needed) and the others.
  func constructHistory(_ set: JSONValue, selector: LabelSelector) async throws -> (
    current: JSONValue, old: [JSONValue]
  ) {
    let client = context.client
    let wanted = ControllerRevisions.data(of: set)
    var currents: [JSONValue] = []
    var old: [JSONValue] = []
    for var revision in try await ControllerRevisions.claim(
      for: set, ownerType: .daemonSets, selector: selector, context: context)
    {
      if revision.metadata.labels?[ControllerRevisions.hashLabel] == nil {
        // Older revisions without the label are labelled with their name, as upstream does.
        revision = try await client.patch(
          .controllerRevisions, namespace: revision.metadata.namespace, name: revision.metadata.name ?? "",
          ["metadata": ["labels": .object([ControllerRevisions.hashLabel: .string(revision.metadata.name ?? "")])]])
      }
      if revision["data"] == wanted { currents.append(revision) } else { old.append(revision) }
    }
    let next = (old.map(ControllerRevisions.number).max() ?? 0) + 1
    guard !currents.isEmpty else { return (try await snapshot(set, revision: next), old) }
    let current = try await deduplicate(set, currents)
    return (
      try await ControllerRevisions.renumber(
        current, to: max(next, ControllerRevisions.number(current)), client: client), old
    )
  }

  /// Creates the revision of the current template; a name taken by a different template bumps
  /// status.collisionCount so the next attempt hashes to another name.
  func snapshot(_ set: JSONValue, revision: Int64) async throws -> JSONValue {
    let client = context.client
    let collisionCount = set["status"]?["collisionCount"]?.intValue
    let revisionObject = ControllerRevisions.make(
      owner: set, ownerType: .daemonSets, revision: revision, collisionCount: collisionCount)
    do {
      return try await client.create(.controllerRevisions, namespace: set.metadata.namespace, revisionObject)
    } catch  where error.isAlreadyExists {
      let existing = try await client.get(
        .controllerRevisions, namespace: set.metadata.namespace, name: revisionObject.metadata.name ?? "")
      if ControllerRevisions.equal(existing, revisionObject) { return existing }
      let fresh = try await client.get(.daemonSets, namespace: set.metadata.namespace, name: set.metadata.name ?? "")
      let freshCount = fresh["status"]?["collisionCount"]?.intValue
      guard freshCount == collisionCount else {
        throw WorkloadControllerError.staleCollisionCount(set.metadata.key)
      }
      try await client.patch(
        .daemonSets, namespace: set.metadata.namespace, name: set.metadata.name ?? "",
        ["status": ["collisionCount": .int((collisionCount ?? 0) + 1)]], subresource: "status")
      throw WorkloadControllerError.revisionNameCollision(revisionObject.metadata.name ?? "", set.metadata.key)
    }
  }

  /// Keeps the highest numbered of several revisions holding the same template: pods labelled
  /// with the others are relabelled, then the others are deleted.
  func deduplicate(_ set: JSONValue, _ revisions: [JSONValue]) async throws -> JSONValue {
    let sorted = ControllerRevisions.sorted(revisions)
    guard let keep = sorted.last, sorted.count > 1 else { return sorted[0] }
    let keepHash = keep.metadata.labels?[ControllerRevisions.hashLabel] ?? ""
    let pods = context.informers.cache(.pods).byIndex(OwnerReferences.controllerIndex, set.metadata.uid ?? "")
    for duplicate in sorted.dropLast() {
      let hash = duplicate.metadata.labels?[ControllerRevisions.hashLabel] ?? ""
      for pod in pods where pod.metadata.labels?[ControllerRevisions.hashLabel] == hash {
        try await context.client.patch(
          .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
          ["metadata": ["labels": .object([ControllerRevisions.hashLabel: .string(keepHash)])]])
      }
      do {
        try await context.client.delete(
          .controllerRevisions, namespace: duplicate.metadata.namespace, name: duplicate.metadata.name ?? "")
      } catch  where error.isNotFound {}
    }
    return keep
  }

  /// Deletes the oldest revisions beyond revisionHistoryLimit that no pod runs.
  func cleanupHistory(_ set: JSONValue, old: [JSONValue], pods: [JSONValue]) async throws {
    let limit = Int(set["spec"]?["revisionHistoryLimit"]?.intValue ?? 10)
    var toKill = old.count - limit
    guard toKill > 0 else { return }
    let live = Set(pods.compactMap { $0.metadata.labels?[ControllerRevisions.hashLabel] })
    for revision in ControllerRevisions.sorted(old) where toKill > 0 {
      if let hash = revision.metadata.labels?[ControllerRevisions.hashLabel], live.contains(hash) { continue }
      do {
        try await context.client.delete(
          .controllerRevisions, namespace: revision.metadata.namespace, name: revision.metadata.name ?? "")
      } catch  where error.isNotFound {}
      toKill -= 1
    }
  }
}
