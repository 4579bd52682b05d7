import KubeAPI
import KubeClient
import Synchronization

/// Deletes objects whose owners are gone (ownerReferences), and carries out the two deletion
/// policies that need help: `orphan` (dependents lose the owner reference, then the owner goes)
/// and `foregroundDeletion` (dependents go first, then the owner). Background deletion is the
/// plain case: the owner is gone at once and its dependents follow here.
public final class GarbageCollector: Controller {
  public let name = "garbagecollector"
  let context: ControllerContext
  let queue = WorkQueue()
  /// Watched types by `resource.group`, and by `apiVersion/kind` for resolving references.
  private let types = Mutex<(byName: [String: ResourceType], byKind: [String: ResourceType])>(([:], [:]))

  static let uidIndex = "uid"

  public init(context: ControllerContext) {
    self.context = context
  }

  /// Watches every type (rediscovering every 30 s, so new CRDs are covered) and works the queue.
  public func run() async {
    await discover()
    await withDiscardingTaskGroup { group in
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(30))
          await self.discover()
        }
      }
      group.addTask {
        await self.context.informers.waitForSync()
        await self.queue.run(workers: self.context.settings.workers) { key in try await self.sync(key) }
      }
    }
  }

  /// Starts informers for every type that can be listed, watched and deleted.
  private func discover() async {
    guard let resources = try? await context.client.discoverResources() else { return }
    var fresh: [ResourceType] = []
    types.withLock { types in
      for resource in resources where resource.supports("list", "watch", "delete") && resource.type.resource != "events"
      {
        let type = resource.type
        guard types.byName[type.description] == nil else { continue }
        types.byName[type.description] = type
        types.byKind["\(type.apiVersion)/\(type.kind)"] = type
        fresh.append(type)
      }
    }
    for type in fresh {
      let informer = context.informers.informer(type)
      informer.cache.addIndex(OwnerReferences.ownerIndex, OwnerReferences.byOwner)
      informer.cache.addIndex(Self.uidIndex) { [$0.metadata.uid ?? ""] }
      informer.onEvent { [queue] event in
        let object = event.object
        let key = "\(type.description)|\(ObjectCache.key(object))"
        switch event {
        case .deleted:
          queue.add("owner-gone|\(object.metadata.uid ?? "")")
        case .added, .updated:
          if object.metadata.ownerReferences?.isEmpty == false { queue.add("dependent|" + key) }
          if object.metadata.isBeingDeleted,
            object.metadata.hasFinalizer("orphan") || object.metadata.hasFinalizer("foregroundDeletion")
          {
            queue.add("owner|" + key)
          }
        }
      }
    }
  }

  func sync(_ item: String) async throws {
    let parts = item.split(separator: "|", maxSplits: 2).map(String.init)
    switch parts[0] {
    case "owner-gone":
      for (type, dependent) in dependents(of: parts[1]) {
        queue.add("dependent|\(type.description)|\(ObjectCache.key(dependent))")
      }
    case "dependent":
      guard let type = type(named: parts[1]), let object = context.informers.cache(type).get(parts[2]) else { return }
      try await checkOwners(object, type: type)
    case "owner":
      guard let type = type(named: parts[1]), let object = context.informers.cache(type).get(parts[2]) else { return }
      if object.metadata.hasFinalizer("orphan") {
        try await orphanDependents(of: object, type: type)
      } else if object.metadata.hasFinalizer("foregroundDeletion") {
        try await deleteDependentsFirst(of: object, type: type)
      }
    default:
      break
    }
  }

  private func type(named name: String) -> ResourceType? { types.withLock { $0.byName[name] } }

  private func dependents(of uid: String) -> [(ResourceType, JSONValue)] {
    let all = types.withLock { Array($0.byName.values) }
    return all.flatMap { type in
      context.informers.cache(type).byIndex(OwnerReferences.ownerIndex, uid).map { (type, $0) }
    }
  }

  /// Whether an owner still exists: the cache first, then (before deleting anything) a live
  /// read, so a lagging cache never costs a dependent its life.
  private func ownerExists(_ reference: OwnerReference, namespace: String?) async throws -> Bool {
    guard let type = types.withLock({ $0.byKind["\(reference.apiVersion)/\(reference.kind)"] }) else {
      return true  // an unknown kind: leave the dependent alone, as upstream does until it resolves
    }
    if context.informers.cache(type).byIndex(Self.uidIndex, reference.uid).isEmpty == false { return true }
    do {
      let live = try await context.client.get(type, namespace: type.namespaced ? namespace : nil, name: reference.name)
      return live.metadata.uid == reference.uid
    } catch  where error.isNotFound {
      return false
    }
  }

  private func checkOwners(_ object: JSONValue, type: ResourceType) async throws {
    guard !object.metadata.isBeingDeleted else { return }
    let references = object.metadata.ownerReferences ?? []
    var missing: [OwnerReference] = []
    for reference in references where try await !ownerExists(reference, namespace: object.metadata.namespace) {
      missing.append(reference)
    }
    guard !missing.isEmpty else { return }
    let namespace = object.metadata.namespace
    let name = object.metadata.name ?? ""
    if missing.count == references.count {
      // Every owner is gone. Wait for a foreground owner's own deletion to cascade instead.
      do {
        try await context.client.delete(
          type, namespace: namespace, name: name,
          options: .init(propagationPolicy: .background, preconditionUID: object.metadata.uid))
      } catch  where error.isNotFound || error.isConflict {}
      return
    }
    try await removeOwnerReferences(type, object, Set(missing.map(\.uid)))
  }

  /// Drops the references to `uids` (an update at the cached revision: a conflict retries).
  private func removeOwnerReferences(_ type: ResourceType, _ object: JSONValue, _ uids: Set<String>) async throws {
    var updated = object
    let kept = (object["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter {
      !uids.contains($0["uid"]?.stringValue ?? "")
    }
    updated["metadata"]?["ownerReferences"] = kept.isEmpty ? nil : .array(kept)
    do {
      try await context.client.update(type, updated)
    } catch  where error.isNotFound {}
  }

  private func orphanDependents(of owner: JSONValue, type: ResourceType) async throws {
    let uid = owner.metadata.uid ?? ""
    for (dependentType, dependent) in dependents(of: uid) {
      try await removeOwnerReferences(dependentType, dependent, [uid])
    }
    try await removeFinalizer("orphan", from: owner, type: type)
  }

  private func deleteDependentsFirst(of owner: JSONValue, type: ResourceType) async throws {
    let uid = owner.metadata.uid ?? ""
    var blocking = 0
    for (dependentType, dependent) in dependents(of: uid) {
      let blocks =
        dependent.metadata.ownerReferences?.contains { $0.uid == uid && $0.blockOwnerDeletion == true } ?? false
      if blocks { blocking += 1 }
      guard !dependent.metadata.isBeingDeleted else { continue }
      do {
        try await context.client.delete(
          dependentType, namespace: dependent.metadata.namespace, name: dependent.metadata.name ?? "",
          options: .init(propagationPolicy: .foreground, preconditionUID: dependent.metadata.uid))
      } catch  where error.isNotFound || error.isConflict {}
    }
    if blocking > 0 {
      queue.add("owner|\(type.description)|\(ObjectCache.key(owner))", after: .seconds(1))
      return
    }
    try await removeFinalizer("foregroundDeletion", from: owner, type: type)
  }

  private func removeFinalizer(_ finalizer: String, from object: JSONValue, type: ResourceType) async throws {
    var updated = object
    let kept = (object.metadata.finalizers ?? []).filter { $0 != finalizer }
    updated["metadata"]?["finalizers"] = kept.isEmpty ? nil : .array(kept.map(JSONValue.string))
    do {
      try await context.client.update(type, updated)
    } catch  where error.isNotFound {}
  }
}
