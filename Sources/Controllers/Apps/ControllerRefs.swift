import KubeAPI
import KubeClient

/// Adopting and releasing dependents as upstream's ControllerRefManager does: strategic merge
/// patches on `metadata.ownerReferences` (merged by uid) that also carry the dependent's uid,
/// so a patch never lands on a recreated object of the same name.
enum ControllerRefs {
  /// The controller reference to `owner`, with its type's apiVersion and kind (list items may
  /// lack them).
  static func reference(to owner: JSONValue, type: ResourceType) -> JSONValue {
    .object([
      "apiVersion": .string(type.apiVersion), "kind": .string(type.kind),
      "name": .string(owner.metadata.name ?? ""), "uid": .string(owner.metadata.uid ?? ""),
      "controller": true, "blockOwnerDeletion": true,
    ])
  }

  /// Makes `owner` the controller of `object`; nil when the object is gone.
  static func adopt(
    _ object: JSONValue, type: ResourceType, by owner: JSONValue, ownerType: ResourceType, client: KubeClient
  ) async throws -> JSONValue? {
    let patch: JSONValue = [
      "metadata": [
        "ownerReferences": [reference(to: owner, type: ownerType)], "uid": .string(object.metadata.uid ?? ""),
      ]
    ]
    do {
      return try await client.patch(
        type, namespace: object.metadata.namespace, name: object.metadata.name ?? "", patch, as: .strategic)
    } catch  where error.isNotFound {
      return nil
    }
  }

  /// Removes `owner`'s reference from `object`.
  static func release(_ object: JSONValue, type: ResourceType, from owner: JSONValue, client: KubeClient) async throws {
    let patch: JSONValue = [
      "metadata": [
        "ownerReferences": [["$patch": "delete", "uid": .string(owner.metadata.uid ?? "")]],
        "uid": .string(object.metadata.uid ?? ""),
      ]
    ]
    do {
      try await client.patch(
        type, namespace: object.metadata.namespace, name: object.metadata.name ?? "", patch, as: .strategic)
    } catch  where error.isNotFound {}
  }

  /// The pods `owner` controls: owned ones its selector (and `filter`) still match, plus
  /// orphans it adopts; owned ones that no longer match are released.
  static func claimPods(
    for owner: JSONValue, ownerType: ResourceType, selector: LabelSelector, context: ControllerContext,
    filter: (JSONValue) -> Bool = { _ in true }
  ) async throws -> [JSONValue] {
    let cache = context.informers.cache(.pods)
    let (owned, orphans) = cache.controlledOrOrphaned(by: owner)
    var result: [JSONValue] = []
    for pod in owned {
      if selector.matches(pod) && filter(pod) {
        result.append(pod)
      } else if !pod.metadata.isBeingDeleted {
        try await release(pod, type: .pods, from: owner, client: context.client)
      }
    }
    guard !owner.metadata.isBeingDeleted else { return result }
    for pod in orphans where !pod.metadata.isBeingDeleted && selector.matches(pod) && filter(pod) {
      if let adopted = try await adopt(pod, type: .pods, by: owner, ownerType: ownerType, client: context.client) {
        result.append(adopted)
      }
    }
    return result
  }

  /// The owner of kind `type` named by the object's controller reference, from the cache, if its
  /// uid still matches.
  static func owner(of object: JSONValue, type: ResourceType, cache: ObjectCache) -> JSONValue? {
    guard let ref = object.metadata.controllerReference, ref.kind == type.kind,
      ref.apiVersion.hasPrefix("\(type.group)/")
    else { return nil }
    guard let owner = cache.get(namespace: object.metadata.namespace, name: ref.name), owner.metadata.uid == ref.uid
    else { return nil }
    return owner
  }
}
