import Foundation
import KubeAPI

/// Metadata rules every kind shares: what the server sets on create, what clients cannot
/// change on update, when a marked object may finally go.
enum ObjectLifecycle {
  static func initialize(_ metadata: inout JSONValue, tracksGeneration: Bool, now: String) {
    metadata["uid"] = .string(UUID().uuidString.lowercased())
    metadata["creationTimestamp"] = .string(now)
    metadata["resourceVersion"] = nil
    metadata["deletionTimestamp"] = nil
    metadata["deletionGracePeriodSeconds"] = nil
    metadata["selfLink"] = nil
    if tracksGeneration { metadata["generation"] = .int(1) } else { metadata["generation"] = nil }
    if let labels = metadata["labels"], labels.objectValue?.isEmpty == true { metadata["labels"] = nil }
    if let annotations = metadata["annotations"], annotations.objectValue?.isEmpty == true {
      metadata["annotations"] = nil
    }
  }

  /// Keeps server-owned metadata, the status (main resource) or everything but the status
  /// (status subresource), and bumps the generation when the spec changed.
  static func carryOver(
    _ object: inout JSONValue, from old: JSONValue, definition: ResourceDefinition,
    subresource: ResourceDefinition.Subresource?
  ) {
    let oldMetadata = old["metadata"] ?? .object([:])
    if subresource == .status {
      var carried = old
      carried["status"] = object["status"]
      object = carried
      return
    }
    if subresource == .approval {
      var carried = old
      carried["status"]?["conditions"] = object["status"]?["conditions"]
      if carried["status"] == nil { carried["status"] = ["conditions": object["status"]?["conditions"] ?? .array([])] }
      object = carried
      return
    }
    if subresource == .finalize {
      var carried = old
      carried["spec"]?["finalizers"] = object["spec"]?["finalizers"] ?? .array([])
      object = carried
      return
    }
    var metadata = object["metadata"] ?? .object([:])
    for key in [
      "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "generation",
    ] {
      metadata[key] = oldMetadata[key]
    }
    metadata["resourceVersion"] = nil
    if let labels = metadata["labels"], labels.objectValue?.isEmpty == true { metadata["labels"] = nil }
    if let annotations = metadata["annotations"], annotations.objectValue?.isEmpty == true {
      metadata["annotations"] = nil
    }
    if let finalizers = metadata["finalizers"], finalizers.arrayValue?.isEmpty == true { metadata["finalizers"] = nil }
    object["metadata"] = metadata
    if definition.strategy.hasStatus { object["status"] = old["status"] }
    if definition.strategy.tracksGeneration {
      let changed = definition.strategy.specFields.contains { object[$0] != old[$0] }
      if changed { object["metadata"]?["generation"] = .int((oldMetadata["generation"]?.intValue ?? 0) + 1) }
    }
  }

  static func isUnchanged(_ object: JSONValue, _ old: JSONValue) -> Bool {
    var a = object
    var b = old
    a["metadata"]?["resourceVersion"] = nil
    b["metadata"]?["resourceVersion"] = nil
    return a == b
  }

  /// A marked object whose finalizers are all gone and whose grace period is over.
  static func isFinalized(_ object: JSONValue, definition: ResourceDefinition) -> Bool {
    guard let metadata = object["metadata"], metadata["deletionTimestamp"] != nil else { return false }
    let finalizers = metadata["finalizers"]?.arrayValue ?? []
    return finalizers.isEmpty && namespaceFinalizers(object, definition: definition).isEmpty
      && (metadata["deletionGracePeriodSeconds"]?.intValue ?? 0) == 0
  }

  /// A Namespace's `spec.finalizers` (`kubernetes`): the namespace controller empties the
  /// namespace, then removes it through `namespaces/finalize`.
  static func namespaceFinalizers(_ object: JSONValue, definition: ResourceDefinition) -> [JSONValue] {
    guard definition.group.isEmpty, definition.kind == "Namespace" else { return [] }
    return object["spec"]?["finalizers"]?.arrayValue ?? []
  }

  /// Pods on a node get their grace period (default terminationGracePeriodSeconds, 30 s);
  /// everything else, and pods no kubelet runs, goes at once.
  static func gracePeriod(_ object: JSONValue, definition: ResourceDefinition, asked: Int64?) -> Int64 {
    guard definition.group.isEmpty, definition.plural == "pods" else { return 0 }
    let spec = object["spec"]
    guard let node = spec?["nodeName"]?.stringValue, !node.isEmpty else { return 0 }
    if let phase = object["status"]?["phase"]?.stringValue, phase == "Succeeded" || phase == "Failed" { return 0 }
    let grace = asked ?? spec?["terminationGracePeriodSeconds"]?.intValue ?? 30
    return max(grace, 0)
  }

  /// Name rules and immutable metadata, for every kind.
  static func validateMetadata(_ object: JSONValue, definition: ResourceDefinition, old: JSONValue?) -> [FieldError] {
    var errors: [FieldError] = []
    let metadata = object["metadata"] ?? .object([:])
    let name = metadata["name"]?.stringValue ?? ""
    if name.isEmpty {
      errors.append(.required("metadata.name", "name or generateName is required"))
    } else {
      for problem in NameRules.problems(name, rule: definition.nameRule) {
        errors.append(.invalid("metadata.name", .string(name), problem))
      }
    }
    if definition.namespaced && (metadata["namespace"]?.stringValue ?? "").isEmpty {
      errors.append(.required("metadata.namespace", ""))
    }
    for (key, value) in metadata["labels"]?.objectValue ?? [:] {
      for problem in NameRules.problems(key, rule: .qualifiedName) {
        errors.append(.invalid("metadata.labels", .string(key), problem))
      }
      let text = value.stringValue ?? ""
      for problem in NameRules.problems(text, rule: .labelValue) {
        errors.append(.invalid("metadata.labels", .string(text), problem))
      }
    }
    for key in (metadata["annotations"]?.objectValue ?? [:]).keys {
      for problem in NameRules.problems(key, rule: .qualifiedName) {
        errors.append(.invalid("metadata.annotations", .string(key), problem))
      }
    }
    if let old, let oldName = old["metadata"]?["name"]?.stringValue, oldName != name {
      errors.append(.invalid("metadata.name", .string(name), "field is immutable"))
    }
    return errors
  }
}
