import KubeAPI
import KubeClient

/// HorizontalPodAutoscaler (autoscaling/v2) through the `scale` subresource. It keeps the target
/// within minReplicas..maxReplicas; metric-based scaling needs the resource metrics API
/// (metrics.k8s.io), and until that is served every metric reports as unavailable, with the
/// conditions and events upstream shows in that case.
public struct HorizontalPodAutoscalerController: Controller {
  public let name = "horizontalpodautoscaling"
  let context: ControllerContext
  let queue = WorkQueue()
  static let syncPeriod = Duration.seconds(15)

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    context.informers.informer(.horizontalPodAutoscalers).onEvent { [queue] event in
      if case .deleted = event { return }
      queue.add(ObjectCache.key(event.object))
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  static let scalable: [String: ResourceType] = [
    "apps/v1/Deployment": .deployments, "apps/v1/ReplicaSet": .replicaSets, "apps/v1/StatefulSet": .statefulSets,
    "v1/ReplicationController": .replicationControllers,
  ]

  func sync(_ key: String) async throws {
    defer { queue.add(key, after: Self.syncPeriod) }
    guard let hpa = context.informers.cache(.horizontalPodAutoscalers).get(key) else { return }
    let now = context.now
    let target = hpa["spec"]?["scaleTargetRef"] ?? [:]
    let kind = target["kind"]?.stringValue ?? ""
    let targetName = target["name"]?.stringValue ?? ""
    var updated = hpa
    guard let type = Self.scalable["\(target["apiVersion"]?.stringValue ?? "")/\(kind)"] else {
      updated.setCondition(
        "AbleToScale", status: "False", reason: "FailedGetScale",
        message: "the HPA controller was unable to get the target's current scale: no scale subresource for \(kind)",
        now: now)
      return try await write(updated, over: hpa)
    }
    let scale: JSONValue
    do {
      scale = try await context.client.get(
        type, namespace: hpa.metadata.namespace, name: targetName, subresource: "scale")
    } catch {
      updated.setCondition(
        "AbleToScale", status: "False", reason: "FailedGetScale",
        message: "the HPA controller was unable to get the target's current scale: \(error)", now: now)
      context.recorder.record(hpa, .warning, reason: "FailedGetScale", message: "\(error)")
      return try await write(updated, over: hpa)
    }
    let current = scale["spec"]?["replicas"]?.intValue ?? 0
    let minimum = hpa["spec"]?["minReplicas"]?.intValue ?? 1
    let maximum = hpa["spec"]?["maxReplicas"]?.intValue ?? minimum
    var desired = current
    if current > maximum {
      desired = maximum
    } else if current < minimum && current != 0 {
      desired = minimum
    }
    updated.setCondition(
      "AbleToScale", status: "True", reason: "SucceededGetScale",
      message: "the HPA controller was able to get the target's current scale", now: now)
    if current == 0 && minimum != 0 {
      updated.setCondition(
        "ScalingActive", status: "False", reason: "ScalingDisabled",
        message: "scaling is disabled since the replica count of the target is zero", now: now)
    } else if let metric = hpa["spec"]?["metrics"]?[0] {
      let resource = metric["resource"]?["name"]?.stringValue ?? metric["type"]?.stringValue ?? "cpu"
      let message =
        "the HPA was unable to compute the replica count: failed to get \(resource) utilization: unable to get metrics for resource \(resource): no metrics returned from resource metrics API"
      updated.setCondition(
        "ScalingActive", status: "False", reason: "FailedGetResourceMetric", message: message, now: now)
      context.recorder.record(hpa, .warning, reason: "FailedGetResourceMetric", message: message)
    }
    if desired != current {
      try await context.client.patch(
        type, namespace: hpa.metadata.namespace, name: targetName, ["spec": ["replicas": .int(desired)]],
        subresource: "scale")
      let reason =
        desired > current
        ? "Current number of replicas below Spec.MinReplicas" : "Current number of replicas above Spec.MaxReplicas"
      context.recorder.record(
        hpa, reason: "SuccessfulRescale", message: "New size: \(desired); reason: \(reason)")
      updated["status"]?["lastScaleTime"] = .string(now.rfc3339)
      updated.setCondition(
        "ScalingLimited", status: "True", reason: desired > current ? "TooFewReplicas" : "TooManyReplicas",
        message:
          "the desired replica count is \(desired > current ? "less" : "more") than the \(desired > current ? "minimum" : "maximum") replica count",
        now: now)
    } else {
      updated.setCondition(
        "ScalingLimited", status: "False", reason: "DesiredWithinRange",
        message: "the desired count is within the acceptable range", now: now)
    }
    updated["status"]?["currentReplicas"] = .int(scale["status"]?["replicas"]?.intValue ?? current)
    updated["status"]?["desiredReplicas"] = .int(desired)
    updated["status"]?["observedGeneration"] = .int(hpa.metadata.generation ?? 1)
    try await write(updated, over: hpa)
  }

  private func write(_ updated: JSONValue, over hpa: JSONValue) async throws {
    guard updated["status"] != hpa["status"] else { return }
    do {
      try await context.client.update(.horizontalPodAutoscalers, updated, subresource: "status")
    } catch  where error.isNotFound {}
  }
}
