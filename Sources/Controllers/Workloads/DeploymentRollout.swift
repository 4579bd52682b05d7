import KubeAPI
import KubeClient

/// One sync of one Deployment: its ReplicaSets split into the new one (matching the current
/// template) and the old ones, and the scaling steps upstream's deployment controller takes.
struct Rollout {
  typealias Controller = DeploymentController
  let controller: DeploymentController
  var deployment: JSONValue
  var newRS: JSONValue?
  var oldRSs: [JSONValue]
  /// Set when a Progressing deadline must be checked later.
  var requeueAfter: Duration?
  /// The condition reason to report for a new ReplicaSet this sync.
  var progressEvent: (reason: String, message: String)?

  var client: KubeClient { controller.context.client }
  var writes: WrittenVersions { controller.context.writes }
  var replicas: Int64 { deployment["spec"]?["replicas"]?.intValue ?? 1 }
  var paused: Bool { deployment["spec"]?["paused"]?.boolValue ?? false }
  var strategy: String { deployment["spec"]?["strategy"]?["type"]?.stringValue ?? "RollingUpdate" }
  var template: JSONValue { deployment["spec"]?["template"] ?? [:] }
  var allRSs: [JSONValue] { oldRSs + (newRS.map { [$0] } ?? []) }

  init(controller: DeploymentController, deployment: JSONValue, replicaSets: [JSONValue]) async throws {
    self.controller = controller
    self.deployment = deployment
    let matching = replicaSets.filter {
      TemplateHash.equalIgnoringHash($0["spec"]?["template"], deployment["spec"]?["template"])
    }
    .sorted { ($0.metadata.creationTimestamp ?? "") < ($1.metadata.creationTimestamp ?? "") }
    newRS = matching.first
    oldRSs = replicaSets.filter { $0.metadata.uid != matching.first?.metadata.uid }
  }

  // MARK: - Arithmetic

  static func spec(_ rs: JSONValue?) -> Int64 { rs?["spec"]?["replicas"]?.intValue ?? 0 }
  static func status(_ rs: JSONValue?, _ field: String) -> Int64 { rs?["status"]?[field]?.intValue ?? 0 }

  /// maxSurge rounded up, maxUnavailable rounded down, never both zero (ResolveFenceposts).
  var fenceposts: (surge: Int64, unavailable: Int64) {
    guard strategy == "RollingUpdate" else { return (0, 0) }
    let update = deployment["spec"]?["strategy"]?["rollingUpdate"]
    let surge = Self.resolve(update?["maxSurge"] ?? "25%", total: replicas, roundUp: true)
    let unavailable = Self.resolve(update?["maxUnavailable"] ?? "25%", total: replicas, roundUp: false)
    return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable)
  }

  static func resolve(_ value: JSONValue, total: Int64, roundUp: Bool) -> Int64 {
    if let number = value.intValue { return number }
    guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return 0 }
    let scaled = percent * total
    return roundUp ? (scaled + 99) / 100 : scaled / 100
  }

  /// Replica counts changed without a template change: only scale, do not roll.
  var isScalingEvent: Bool {
    allRSs.contains { rs in
      Self.spec(rs) > 0
        && rs.metadata.annotations?[Controller.desiredReplicasAnnotation].flatMap { Int64($0) } != replicas
    } && newRS != nil
  }

  // MARK: - Strategies

  mutating func rollingUpdate() async throws {
    try await ensureNewReplicaSet()
    guard let newRS else { return }
    let (surge, unavailable) = fenceposts
    if Self.spec(newRS) > replicas {
      return try await scale(newRS, to: replicas, isNew: true)
    }
    if Self.spec(newRS) < replicas {
      let current = allRSs.reduce(0) { $0 + Self.spec($1) }
      let room = replicas + surge - current
      if room > 0 {
        let target = Self.spec(newRS) + min(room, replicas - Self.spec(newRS))
        return try await scale(newRS, to: target, isNew: true)
      }
    }
    let oldCount = oldRSs.reduce(0) { $0 + Self.spec($1) }
    guard oldCount > 0 else { return try await cleanup() }
    let all = allRSs.reduce(0) { $0 + Self.spec($1) }
    let minAvailable = replicas - unavailable
    let newUnavailable = Self.spec(newRS) - Self.status(newRS, "availableReplicas")
    var budget = all - minAvailable - newUnavailable
    guard budget > 0 else { return }
    // First old pods that are not available anyway, oldest ReplicaSet first.
    let byAge = oldRSs.sorted { ($0.metadata.creationTimestamp ?? "") < ($1.metadata.creationTimestamp ?? "") }
    var scaledDown: [String: Int64] = [:]
    for rs in byAge where budget > 0 {
      let unhealthy = Self.spec(rs) - Self.status(rs, "availableReplicas")
      guard unhealthy > 0 else { continue }
      let count = min(unhealthy, budget)
      scaledDown[rs.metadata.uid ?? ""] = count
      budget -= count
    }
    // Then available old pods, as long as enough stay available.
    // A ReplicaSet just scaled down may still report the pods it is removing as available.
    let available = allRSs.reduce(0) { $0 + min(Self.status($1, "availableReplicas"), Self.spec($1)) }
    var remaining = available - minAvailable
    for rs in byAge where remaining > 0 {
      let left = Self.spec(rs) - (scaledDown[rs.metadata.uid ?? ""] ?? 0)
      guard left > 0 else { continue }
      let count = min(left, remaining)
      scaledDown[rs.metadata.uid ?? "", default: 0] += count
      remaining -= count
    }
    for rs in byAge {
      guard let count = scaledDown[rs.metadata.uid ?? ""], count > 0 else { continue }
      try await scale(rs, to: Self.spec(rs) - count, isNew: false)
    }
  }

  mutating func recreate() async throws {
    for rs in oldRSs where Self.spec(rs) > 0 {
      try await scale(rs, to: 0, isNew: false)
    }
    let oldPodsRunning = oldRSs.contains { rs in
      let pods = controller.context.informers.cache(.pods).byIndex(
        OwnerReferences.controllerIndex, rs.metadata.uid ?? "")
      return pods.contains { PodStatus.phase($0) != "Succeeded" && PodStatus.phase($0) != "Failed" }
    }
    guard !oldPodsRunning else { return }
    try await ensureNewReplicaSet()
    if let newRS, Self.spec(newRS) != replicas { try await scale(newRS, to: replicas, isNew: true) }
    if newRS.map({ Self.status($0, "availableReplicas") == replicas }) == true { try await cleanup() }
  }

  /// Replica changes only (also while paused): the single active ReplicaSet takes the new
  /// count, or the change is spread over the active ones in proportion to their size.
  mutating func scale() async throws {
    if newRS == nil, !paused { try await ensureNewReplicaSet() }
    let active = allRSs.filter { Self.spec($0) > 0 }
    if active.count <= 1 {
      let target = active.first ?? newRS ?? oldRSs.max { revision($0) < revision($1) }
      if let target,
        Self.spec(target) != replicas
          || target.metadata.annotations?[Controller.desiredReplicasAnnotation] != String(replicas)
      {
        try await scale(target, to: replicas, isNew: target.metadata.uid == newRS?.metadata.uid)
      }
      return
    }
    let current = active.reduce(0) { $0 + Self.spec($1) }
    let delta = replicas + fenceposts.surge - current
    let ordered = active.sorted { Self.spec($0) > Self.spec($1) }
    var shares = ordered.map { Self.spec($0) * delta / current }
    shares[0] += delta - shares.reduce(0, +)
    for (rs, share) in zip(ordered, shares) where share != 0 {
      try await scale(rs, to: max(0, Self.spec(rs) + share), isNew: rs.metadata.uid == newRS?.metadata.uid)
    }
  }

  // MARK: - ReplicaSets

  func revision(_ rs: JSONValue) -> Int64 {
    rs.metadata.annotations?[Controller.revisionAnnotation].flatMap { Int64($0) } ?? 0
  }

  /// Creates the ReplicaSet for the current template, or brings the existing one's revision
  /// to the newest; the Deployment's revision annotation follows.
  mutating func ensureNewReplicaSet() async throws {
    let maxOld = oldRSs.map(revision).max() ?? 0
    let next = maxOld + 1
    if var rs = newRS {
      if revision(rs) < next || rs.metadata.annotations?[Controller.desiredReplicasAnnotation] == nil {
        var annotations = copiedAnnotations(into: rs.metadata.annotations ?? [:])
        if revision(rs) < next {
          let history = [annotations[Controller.revisionHistoryAnnotation], String(revision(rs))].compactMap { $0 }
            .filter { !$0.isEmpty && $0 != "0" }
          if !history.isEmpty { annotations[Controller.revisionHistoryAnnotation] = history.joined(separator: ",") }
          annotations[Controller.revisionAnnotation] = String(next)
        }
        rs = try await client.patch(
          .replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name ?? "",
          ["metadata": ["annotations": .object(annotations.mapValues(JSONValue.string))]])
        writes.record(.replicaSets, rs)
        newRS = rs
      }
      if progressCondition?["reason"]?.stringValue == nil {
        progressEvent = ("FoundNewReplicaSet", "Found new replica set \"\(rs.metadata.name ?? "")\"")
      }
      return
    }
    let collisions = deployment["status"]?["collisionCount"]?.intValue
    let hash = TemplateHash.compute(template, collisionCount: collisions)
    let name = "\(deployment.metadata.name ?? "")-\(hash)"
    var rsTemplate = template
    rsTemplate["metadata"]?["labels"]?[TemplateHash.label] = .string(hash)
    var selector = deployment["spec"]?["selector"] ?? [:]
    selector["matchLabels"]?[TemplateHash.label] = .string(hash)
    if selector["matchLabels"] == nil { selector["matchLabels"] = [TemplateHash.label: .string(hash)] }
    var annotations = copiedAnnotations(into: [:])
    annotations[Controller.revisionAnnotation] = String(next)
    let initial: Int64
    if strategy == "Recreate" {
      initial = 0
    } else {
      let current = oldRSs.reduce(0) { $0 + Self.spec($1) }
      initial = max(0, min(replicas + fenceposts.surge - current, replicas))
    }
    var labels = template["metadata"]?["labels"] ?? [:]
    labels[TemplateHash.label] = .string(hash)
    let rs: JSONValue = [
      "apiVersion": "apps/v1", "kind": "ReplicaSet",
      "metadata": [
        "name": .string(name), "namespace": .string(deployment.metadata.namespace ?? ""), "labels": labels,
        "annotations": .object(annotations.mapValues(JSONValue.string)),
        "ownerReferences": [OwnerReferences.controller(of: deployment)],
      ],
      "spec": [
        "replicas": .int(initial), "minReadySeconds": deployment["spec"]?["minReadySeconds"] ?? 0,
        "selector": selector, "template": rsTemplate,
      ],
    ]
    do {
      let created = try await client.create(.replicaSets, namespace: deployment.metadata.namespace, rs)
      newRS = created
      progressEvent = ("NewReplicaSetCreated", "Created new replica set \"\(name)\"")
      if initial > 0 {
        controller.context.recorder.record(
          deployment, reason: "ScalingReplicaSet", message: "Scaled up replica set \(name) from 0 to \(initial)")
      }
    } catch  where error.isAlreadyExists {
      // Same name, different template: a hash collision. Count it so the next hash differs.
      var status = deployment["status"] ?? [:]
      status["collisionCount"] = .int((collisions ?? 0) + 1)
      var updated = deployment
      updated["status"] = status
      try await client.update(.deployments, updated, subresource: "status")
      throw KubeClientError.transport("replica set name \(name) collided; retrying with collisionCount")
    }
  }

  /// The Deployment's annotations a ReplicaSet carries, plus desired/max replicas.
  func copiedAnnotations(into existing: [String: String]) -> [String: String] {
    var annotations = existing
    for (key, value) in deployment.metadata.annotations ?? [:] where !Controller.skippedAnnotations.contains(key) {
      annotations[key] = value
    }
    annotations[Controller.desiredReplicasAnnotation] = String(replicas)
    annotations[Controller.maxReplicasAnnotation] = String(replicas + fenceposts.surge)
    return annotations
  }

  /// Sets a ReplicaSet's replicas (and the replica annotations) and records the event.
  mutating func scale(_ rs: JSONValue, to count: Int64, isNew: Bool) async throws {
    let from = Self.spec(rs)
    var annotations: [String: JSONValue] = [
      Controller.desiredReplicasAnnotation: .string(String(replicas)),
      Controller.maxReplicasAnnotation: .string(String(replicas + fenceposts.surge)),
    ]
    if isNew { annotations.merge(copiedAnnotations(into: [:]).mapValues(JSONValue.string)) { _, new in new } }
    let updated = try await client.patch(
      .replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name ?? "",
      ["spec": ["replicas": .int(count)], "metadata": ["annotations": .object(annotations)]])
    writes.record(.replicaSets, updated)
    if isNew {
      newRS = updated
    } else if let index = oldRSs.firstIndex(where: { $0.metadata.uid == rs.metadata.uid }) {
      oldRSs[index] = updated
    }
    guard from != count else { return }
    let verb = count > from ? "up" : "down"
    controller.context.recorder.record(
      deployment, reason: "ScalingReplicaSet",
      message: "Scaled \(verb) replica set \(rs.metadata.name ?? "") from \(from) to \(count)")
  }

  /// Deletes old, empty ReplicaSets beyond revisionHistoryLimit (oldest revision first).
  func cleanup() async throws {
    let limit = deployment["spec"]?["revisionHistoryLimit"]?.intValue ?? 10
    let empty = oldRSs.filter {
      Self.spec($0) == 0 && Self.status($0, "replicas") == 0 && !$0.metadata.isBeingDeleted
    }.sorted { revision($0) < revision($1) }
    guard empty.count > Int(limit) else { return }
    for rs in empty.prefix(empty.count - Int(limit)) {
      do {
        try await client.delete(.replicaSets, namespace: rs.metadata.namespace, name: rs.metadata.name ?? "")
      } catch  where error.isNotFound {}
    }
  }

  var progressCondition: JSONValue? { PodStatus.condition(deployment, "Progressing") }

  /// The Deployment carries its new ReplicaSet's revision (what `kubectl rollout history` marks).
  mutating func syncRevisionAnnotation() async throws {
    guard let newRS, let revision = newRS.metadata.annotations?[Controller.revisionAnnotation],
      deployment.metadata.annotations?[Controller.revisionAnnotation] != revision
    else { return }
    deployment = try await client.patch(
      .deployments, namespace: deployment.metadata.namespace, name: deployment.metadata.name ?? "",
      ["metadata": ["annotations": [Controller.revisionAnnotation: .string(revision)]]])
    writes.record(.deployments, deployment)
  }
}
