import KubeAPI
import KubeClient

/// ControllerRevisions as the DaemonSet and StatefulSet controllers keep them (upstream's
/// controller history): each revision stores the strategic merge patch
/// `{"spec":{"template":{…,"$patch":"replace"}}}` that restores its pod template, which is
/// exactly what `kubectl rollout history/undo` reads and applies.
enum ControllerRevisions {
  static let hashLabel = "controller-revision-hash"

  /// The revision data for an owner's current template.
  static func data(of owner: JSONValue) -> JSONValue {
    var template = owner["spec"]?["template"] ?? .object([:])
    template["$patch"] = "replace"
    return ["spec": ["template": template]]
  }

  /// The owner with its template replaced by the one a revision stores (upstream ApplyRevision).
  static func applying(_ revision: JSONValue, to owner: JSONValue) -> JSONValue {
    guard var template = revision["data"]?["spec"]?["template"] else { return owner }
    template["$patch"] = nil
    var owner = owner
    owner["spec"]?["template"] = template
    return owner
  }

  static func number(_ revision: JSONValue) -> Int64 { revision["revision"]?.intValue ?? 0 }

  /// Oldest first: by revision number, then creation time, then name.
  static func sorted(_ revisions: [JSONValue]) -> [JSONValue] {
    revisions.sorted { a, b in
      let (ra, rb) = (number(a), number(b))
      if ra != rb { return ra < rb }
      let (ta, tb) = (a.metadata.creationTimestamp ?? "", b.metadata.creationTimestamp ?? "")
      if ta != tb { return ta < tb }
      return (a.metadata.name ?? "") < (b.metadata.name ?? "")
    }
  }

  /// Same stored template: the test upstream makes by comparing the patch bytes.
  static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool { a["data"] == b["data"] }

  /// upstream's HashControllerRevision: FNV-32 of the data bytes and the collision count,
  /// printed in decimal and mapped onto the "safe" alphabet (no vowels, no look-alikes).
  static func hash(data: JSONValue, collisionCount: Int64?) -> String {
    var hasher = FNV32()
    hasher.write((try? data.serialized()) ?? [])
    if let collisionCount { hasher.write(Array(String(collisionCount).utf8)) }
    return safeEncode(String(hasher.value))
  }

  /// upstream's rand.SafeEncodeString.
  static func safeEncode(_ text: String) -> String {
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    return String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
  }

  /// `<parent>-<hash>`, the parent name cut so the whole stays a valid name.
  static func name(parent: String, hash: String) -> String {
    "\(parent.prefix(223))-\(hash)"
  }

  /// A new revision of `owner` (not yet created): template labels plus the hash label,
  /// the owner's annotations, and a controller reference to it.
  static func make(
    owner: JSONValue, ownerType: ResourceType, revision: Int64, collisionCount: Int64?
  ) -> JSONValue {
    let data = data(of: owner)
    let hash = hash(data: data, collisionCount: collisionCount)
    var labels = owner["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
    labels[hashLabel] = .string(hash)
    var metadata: [String: JSONValue] = [
      "name": .string(name(parent: owner.metadata.name ?? "", hash: hash)),
      "namespace": .string(owner.metadata.namespace ?? ""), "labels": .object(labels),
      "ownerReferences": [ControllerRefs.reference(to: owner, type: ownerType)],
    ]
    if let annotations = owner["metadata"]?["annotations"], annotations.objectValue?.isEmpty == false {
      metadata["annotations"] = annotations
    }
    return [
      "apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": .object(metadata), "data": data,
      "revision": .int(revision),
    ]
  }

  /// The revisions `owner` controls, adopting orphans its selector matches (as upstream's
  /// ControllerRefManager) and releasing owned ones it no longer selects.
  static func claim(
    for owner: JSONValue, ownerType: ResourceType, selector: LabelSelector, context: ControllerContext
  ) async throws -> [JSONValue] {
    let cache = context.informers.cache(.controllerRevisions)
    let (owned, orphans) = cache.controlledOrOrphaned(by: owner)
    var result: [JSONValue] = []
    for revision in owned {
      if selector.matches(revision) {
        result.append(revision)
      } else if !revision.metadata.isBeingDeleted {
        try await ControllerRefs.release(revision, type: .controllerRevisions, from: owner, client: context.client)
      }
    }
    guard !owner.metadata.isBeingDeleted else { return result }
    for revision in orphans where selector.matches(revision) && !revision.metadata.isBeingDeleted {
      if let adopted = try await ControllerRefs.adopt(
        revision, type: .controllerRevisions, by: owner, ownerType: ownerType, client: context.client)
      {
        result.append(adopted)
      }
    }
    return result
  }

  /// Gives an existing revision a new number (a rollback makes an old template the newest).
  static func renumber(_ revision: JSONValue, to number: Int64, client: KubeClient) async throws -> JSONValue {
    guard self.number(revision) != number else { return revision }
    return try await client.patch(
      .controllerRevisions, namespace: revision.metadata.namespace, name: revision.metadata.name ?? "",
      ["revision": .int(number)])
  }
}

/// FNV-1 32-bit (Go's hash/fnv New32), which upstream's revision hashes use.
struct FNV32 {
  private(set) var value: UInt32 = 2_166_136_261

  mutating func write(_ bytes: [UInt8]) {
    for byte in bytes {
      value = value &* 16_777_619
      value ^= UInt32(byte)
    }
  }
}
