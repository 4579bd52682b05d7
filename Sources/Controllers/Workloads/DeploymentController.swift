import KubeAPI
import KubeClient

/// Rolls Deployments out through ReplicaSets: one ReplicaSet per template revision, scaled by
/// the RollingUpdate (maxSurge/maxUnavailable) or Recreate strategy, with the revision
/// annotations `kubectl rollout history/undo` read and the conditions `kubectl rollout status`
/// reads.
public struct DeploymentController: Controller {
  public let name = "deployment"
  let context: ControllerContext
  let queue = WorkQueue()

  static let revisionAnnotation = "deployment.kubernetes.io/revision"
  static let revisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
  static let desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
  static let maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
  /// Deployment annotations that are not copied to its ReplicaSets.
  static let skippedAnnotations: Set<String> = [
    "kubectl.kubernetes.io/last-applied-configuration", revisionAnnotation, revisionHistoryAnnotation,
    desiredReplicasAnnotation, maxReplicasAnnotation, "deprecated.deployment.rollback.to",
  ]

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let deployments = context.informers.informer(.deployments)
    let replicaSets = context.informers.informer(.replicaSets)
    let pods = context.informers.informer(.pods)
    replicaSets.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    deployments.onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    replicaSets.onEvent { [queue, context] event in
      let rs = event.object
      if let owner = rs.metadata.controllerReference, owner.kind == "Deployment" {
        queue.add(ObjectCache.key(namespace: rs.metadata.namespace, name: owner.name))
      } else if rs.metadata.controllerReference == nil {
        for deployment in context.informers.cache(.deployments).list(namespace: rs.metadata.namespace ?? "") {
          queue.add(ObjectCache.key(deployment))
        }
      }
    }
    // A Recreate rollout waits for the old pods to be gone.
    pods.onEvent { [queue, context] event in
      guard case .deleted(let pod) = event, let rsRef = pod.metadata.controllerReference,
        let rs = context.informers.cache(.replicaSets).get(namespace: pod.metadata.namespace, name: rsRef.name),
        let owner = rs.metadata.controllerReference, owner.kind == "Deployment"
      else { return }
      queue.add(ObjectCache.key(namespace: pod.metadata.namespace, name: owner.name))
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    guard let deployment = context.informers.cache(.deployments).get(key) else { return }
    let selector = (try? LabelSelector(object: deployment["spec"]?["selector"])) ?? .nothing
    if selector.isEmpty {
      context.recorder.record(
        deployment, .warning, reason: "SelectingAll",
        message: "This deployment is selecting all pods. A non-empty selector is required.")
      return
    }
    var rollout = try await Rollout(
      controller: self, deployment: deployment, replicaSets: claimReplicaSets(deployment, selector))
    if deployment.metadata.isBeingDeleted {
      return try await rollout.syncStatus()
    }
    if rollout.paused || rollout.isScalingEvent {
      try await rollout.scale()
    } else if rollout.strategy == "Recreate" {
      try await rollout.recreate()
    } else {
      try await rollout.rollingUpdate()
    }
    try await rollout.syncRevisionAnnotation()
    try await rollout.syncStatus()
    if let wait = rollout.requeueAfter { queue.add(key, after: wait) }
  }

  /// Owned ReplicaSets that still match, adopting matching orphans and releasing the rest.
  func claimReplicaSets(_ deployment: JSONValue, _ selector: LabelSelector) async throws -> [JSONValue] {
    let (owned, orphans) = context.informers.cache(.replicaSets).controlledOrOrphaned(by: deployment)
    var claimed: [JSONValue] = []
    for rs in owned {
      if selector.matches(rs) || deployment.metadata.isBeingDeleted {
        claimed.append(rs)
      } else {
        try await ControllerRefs.release(rs, type: .replicaSets, from: deployment, client: context.client)
      }
    }
    guard !deployment.metadata.isBeingDeleted else { return claimed }
    for rs in orphans where selector.matches(rs) && !rs.metadata.isBeingDeleted {
      if let adopted = try await ControllerRefs.adopt(
        rs, type: .replicaSets, by: deployment, ownerType: .deployments, client: context.client)
      {
        claimed.append(adopted)
      }
    }
    return claimed
  }
}
