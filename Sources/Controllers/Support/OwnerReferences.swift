import KubeAPI
import KubeClient

/// Owner references as controllers write and read them.
enum OwnerReferences {
  /// The reference a controller puts on what it creates: controller and blockOwnerDeletion set.
  static func controller(of owner: JSONValue) -> JSONValue {
    .object([
      "apiVersion": .string(owner.apiVersion ?? ""), "kind": .string(owner.kind ?? ""),
      "name": .string(owner.metadata.name ?? ""), "uid": .string(owner.metadata.uid ?? ""),
      "controller": true, "blockOwnerDeletion": true,
    ])
  }

  /// The UID of the object's controller, if it has one.
  static func controllerUID(_ object: JSONValue) -> String? { object.metadata.controllerReference?.uid }

  /// Index function: dependents by their controller's UID; objects without one under
  /// `orphan/<namespace>` so adoption does not scan every object.
  static let byController: ObjectCache.IndexFunction = { object in
    [controllerUID(object) ?? "orphan/\(object.metadata.namespace ?? "")"]
  }

  static let controllerIndex = "controller"

  /// Index function: dependents by every owner UID (for the garbage collector).
  static let byOwner: ObjectCache.IndexFunction = { object in
    (object.metadata.ownerReferences ?? []).map(\.uid)
  }

  static let ownerIndex = "owner"
}

extension ObjectCache {
  /// The objects controlled by `owner`, plus orphans in its namespace (candidates for adoption).
  func controlledOrOrphaned(by owner: JSONValue) -> (owned: [JSONValue], orphans: [JSONValue]) {
    (
      byIndex(OwnerReferences.controllerIndex, owner.metadata.uid ?? ""),
      byIndex(OwnerReferences.controllerIndex, "orphan/\(owner.metadata.namespace ?? "")")
    )
  }
}
