import KubeAPI
import KubeClient

/// Keeps each PodDisruptionBudget's status current — expected, healthy and desired-healthy pod
/// counts and how many disruptions are allowed — which the eviction API (and so `kubectl
/// drain`) consults. Evictions recorded in `disruptedPods` count as gone for two minutes or
/// until the pod is seen deleted.
public struct DisruptionController: Controller {
  public let name = "disruption"
  let context: ControllerContext
  let queue = WorkQueue()
  static let disruptedPodTimeout: Int64 = 120

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let budgets = context.informers.informer(.podDisruptionBudgets)
    let pods = context.informers.informer(.pods)
    for type in [ResourceType.replicaSets, .deployments, .statefulSets, .replicationControllers] {
      context.informers.informer(type).onEvent { [queue, context] event in
        for budget in context.informers.cache(.podDisruptionBudgets).list(
          namespace: event.object.metadata.namespace ?? "")
        {
          queue.add(ObjectCache.key(budget))
        }
      }
    }
    budgets.onEvent { [queue] event in queue.add(ObjectCache.key(event.object)) }
    pods.onEvent { [queue, context] event in
      let pod = event.object
      for budget in context.informers.cache(.podDisruptionBudgets).list(namespace: pod.metadata.namespace ?? "") {
        if let selector = try? LabelSelector(object: budget["spec"]?["selector"]), selector.matches(pod) {
          queue.add(ObjectCache.key(budget))
        }
      }
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    guard let budget = context.informers.cache(.podDisruptionBudgets).get(key) else { return }
    let namespace = budget.metadata.namespace ?? ""
    let selector = (try? LabelSelector(object: budget["spec"]?["selector"])) ?? .nothing
    let pods = context.informers.cache(.pods).list(namespace: namespace).filter {
      selector.matches($0) && !PodStatus.isTerminal($0)
    }
    let now = context.now
    var disrupted: [String: JSONValue] = [:]
    for (pod, time) in budget["status"]?["disruptedPods"]?.objectValue ?? [:] {
      guard let at = time.stringValue.flatMap({ try? KubeTime(parsing: $0) }),
        at.adding(seconds: Self.disruptedPodTimeout) > now,
        let current = pods.first(where: { $0.metadata.name == pod }), !current.metadata.isBeingDeleted
      else { continue }
      disrupted[pod] = time
    }
    let healthy = pods.filter {
      PodStatus.isReady($0) && !$0.metadata.isBeingDeleted && disrupted[$0.metadata.name ?? ""] == nil
    }.count
    let (expected, desired) = desiredHealthy(budget, pods: pods)
    let allowed = max(0, Int64(healthy) - desired)
    var status = budget["status"]?.objectValue ?? [:]
    status["expectedPods"] = .int(expected)
    status["currentHealthy"] = .int(Int64(healthy))
    status["desiredHealthy"] = .int(desired)
    status["disruptionsAllowed"] = .int(allowed)
    status["observedGeneration"] = .int(budget.metadata.generation ?? 1)
    status["disruptedPods"] = disrupted.isEmpty ? nil : .object(disrupted)
    var updated = budget
    updated["status"] = .object(status)
    updated.setCondition(
      "DisruptionAllowed", status: allowed > 0 ? "True" : "False",
      reason: allowed > 0 ? "SufficientPods" : "InsufficientPods", message: "", now: now)
    if let next = disrupted.values.compactMap({ $0.stringValue.flatMap { try? KubeTime(parsing: $0) } }).min() {
      queue.add(key, after: .seconds(max(1, next.adding(seconds: Self.disruptedPodTimeout).seconds - now.seconds)))
    }
    guard updated["status"] != budget["status"] else { return }
    do {
      try await context.client.update(.podDisruptionBudgets, updated, subresource: "status")
    } catch  where error.isNotFound {}
  }

  /// (expectedPods, desiredHealthy) as upstream computes them: an integer minAvailable counts
  /// the matching pods; percentages and maxUnavailable count the controllers' replicas.
  func desiredHealthy(_ budget: JSONValue, pods: [JSONValue]) -> (Int64, Int64) {
    let spec = budget["spec"]
    if let minAvailable = spec?["minAvailable"], let count = minAvailable.intValue {
      return (Int64(pods.count), count)
    }
    let expected = expectedReplicas(pods)
    if let minAvailable = spec?["minAvailable"]?.stringValue {
      return (expected, Self.percent(minAvailable, of: expected))
    }
    if let maxUnavailable = spec?["maxUnavailable"] {
      let unavailable = maxUnavailable.intValue ?? Self.percent(maxUnavailable.stringValue ?? "0%", of: expected)
      return (expected, max(0, expected - unavailable))
    }
    return (expected, expected)
  }

  static func percent(_ text: String, of total: Int64) -> Int64 {
    guard text.hasSuffix("%"), let value = Int64(text.dropLast()) else { return Int64(text) ?? 0 }
    return (value * total + 99) / 100
  }

  /// The summed scale of the controllers owning the pods (a Deployment through its ReplicaSet).
  private func expectedReplicas(_ pods: [JSONValue]) -> Int64 {
    var seen = Set<String>()
    var total: Int64 = 0
    for pod in pods {
      guard let owner = pod.metadata.controllerReference else {
        total += 1
        continue
      }
      let namespace = pod.metadata.namespace
      var controller: JSONValue?
      switch owner.kind {
      case "ReplicaSet":
        let rs = context.informers.cache(.replicaSets).get(namespace: namespace, name: owner.name)
        if let deployment = rs?.metadata.controllerReference, deployment.kind == "Deployment" {
          controller = context.informers.cache(.deployments).get(namespace: namespace, name: deployment.name)
        } else {
          controller = rs
        }
      case "StatefulSet":
        controller = context.informers.cache(.statefulSets).get(namespace: namespace, name: owner.name)
      case "ReplicationController":
        controller = context.informers.cache(.replicationControllers).get(namespace: namespace, name: owner.name)
      default: break
      }
      guard let controller else {
        total += 1
        continue
      }
      if seen.insert(controller.metadata.uid ?? "").inserted { total += controller["spec"]?["replicas"]?.intValue ?? 1 }
    }
    return total
  }
}
