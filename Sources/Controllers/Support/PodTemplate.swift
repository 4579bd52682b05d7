import KubeAPI

/// Pods made from a controller's template.
enum PodTemplate {
  /// A pod from `template` (labels, annotations, finalizers, spec) owned by `owner`'s controller
  /// reference, named by `name` or generated from `generateName`.
  static func pod(
    from template: JSONValue, owner: JSONValue, generateName: String? = nil, name: String? = nil
  ) -> JSONValue {
    var metadata: [String: JSONValue] = [
      "namespace": .string(owner.metadata.namespace ?? ""),
      "ownerReferences": [OwnerReferences.controller(of: owner)],
    ]
    if let name {
      metadata["name"] = .string(name)
    } else if let generateName {
      metadata["generateName"] = .string(generateName)
    }
    for field in ["labels", "annotations", "finalizers"] {
      if let value = template["metadata"]?[field] { metadata[field] = value }
    }
    return .object([
      "apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata), "spec": template["spec"] ?? [:],
    ])
  }
}

/// Creation in growing batches (1, 2, 4, …) as upstream's slowStartBatch: a quota or admission
/// error stops after one failed call instead of hundreds.
enum PodCreation {
  /// Calls `create` `count` times; answers how many succeeded, or throws the first error after
  /// the batch it happened in.
  static func slowStart(count: Int, _ create: @escaping @Sendable () async throws -> Void) async throws -> Int {
    var done = 0
    var batch = 1
    while done < count {
      let size = min(batch, count - done)
      let results = await withTaskGroup(of: (any Error)?.self) { group in
        for _ in 0..<size {
          group.addTask {
            do {
              try await create()
              return nil
            } catch {
              return error
            }
          }
        }
        var errors: [any Error] = []
        for await result in group { if let result { errors.append(result) } }
        return errors
      }
      done += size - results.count
      if let first = results.first { throw PartialCreation(created: done, error: first) }
      batch *= 2
    }
    return done
  }

  /// Some creations failed; `created` succeeded before the error.
  struct PartialCreation: Error, CustomStringConvertible {
    var created: Int
    var error: any Error
    var description: String { "\(error)" }
  }
}

/// Which pods go first when scaling down (upstream's ActivePodsWithRanks ordering).
enum PodRanking {
  static func deletionOrder(_ pods: [JSONValue]) -> [JSONValue] {
    pods.sorted(by: goesBefore)
  }

  static func goesBefore(_ a: JSONValue, _ b: JSONValue) -> Bool {
    let aNode = a["spec"]?["nodeName"]?.stringValue ?? ""
    let bNode = b["spec"]?["nodeName"]?.stringValue ?? ""
    if aNode.isEmpty != bNode.isEmpty { return aNode.isEmpty }
    let order = ["Pending": 0, "Unknown": 1, "Running": 2]
    let aPhase = order[PodStatus.phase(a)] ?? 0
    let bPhase = order[PodStatus.phase(b)] ?? 0
    if aPhase != bPhase { return aPhase < bPhase }
    let aReady = PodStatus.isReady(a)
    let bReady = PodStatus.isReady(b)
    if aReady != bReady { return !aReady }
    let aCost = Int(a.metadata.annotations?["controller.kubernetes.io/pod-deletion-cost"] ?? "") ?? 0
    let bCost = Int(b.metadata.annotations?["controller.kubernetes.io/pod-deletion-cost"] ?? "") ?? 0
    if aCost != bCost { return aCost < bCost }
    if aReady && bReady {
      let aSince = PodStatus.condition(a, "Ready")?["lastTransitionTime"]?.stringValue ?? ""
      let bSince = PodStatus.condition(b, "Ready")?["lastTransitionTime"]?.stringValue ?? ""
      if aSince != bSince { return aSince > bSince }
    }
    let aRestarts = restarts(a)
    let bRestarts = restarts(b)
    if aRestarts != bRestarts { return aRestarts > bRestarts }
    return (a.metadata.creationTimestamp ?? "") > (b.metadata.creationTimestamp ?? "")
  }

  static func restarts(_ pod: JSONValue) -> Int64 {
    (pod["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
  }
}
