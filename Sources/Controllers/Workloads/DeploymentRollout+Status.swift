import KubeAPI
import KubeClient

extension Rollout {
  /// Writes replica counts, observedGeneration and the Available and Progressing conditions.
  mutating func syncStatus() async throws {
    let now = controller.context.now
    let all = allRSs
    var status = deployment["status"]?.objectValue ?? [:]
    let total = all.reduce(0) { $0 + Self.spec($1) }
    let available = all.reduce(0) { $0 + Self.status($1, "availableReplicas") }
    let updatedCount = Self.status(newRS, "replicas")
    status["observedGeneration"] = .int(deployment.metadata.generation ?? 1)
    status["replicas"] = .int(all.reduce(0) { $0 + Self.status($1, "replicas") })
    status["updatedReplicas"] = .int(updatedCount)
    status["readyReplicas"] = .int(all.reduce(0) { $0 + Self.status($1, "readyReplicas") })
    status["availableReplicas"] = .int(available)
    status["unavailableReplicas"] = .int(max(0, total - available))
    for field in ["readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas"]
    where status[field] == .int(0) {
      status[field] = nil
    }
    var updated = deployment
    updated["status"] = .object(status)
    if available >= replicas - fenceposts.unavailable {
      updated.setCondition(
        "Available", status: "True", reason: "MinimumReplicasAvailable",
        message: "Deployment has minimum availability.",
        now: now, probeTimes: true)
    } else {
      updated.setCondition(
        "Available", status: "False", reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.", now: now, probeTimes: true)
    }
    setProgressing(&updated, now: now)
    guard updated["status"] != deployment["status"], writes.includesLastWrite(.deployments, deployment) else { return }
    do {
      deployment = try await client.update(.deployments, updated, subresource: "status")
      writes.record(.deployments, deployment)
    } catch  where error.isNotFound {}
  }

  /// The Progressing condition as upstream's syncRolloutStatus sets it.
  private mutating func setProgressing(_ updated: inout JSONValue, now: KubeTime) {
    let name = newRS?.metadata.name ?? ""
    let current = PodStatus.condition(deployment, "Progressing")
    if paused {
      if current?["reason"]?.stringValue != "DeploymentPaused" {
        updated.setCondition(
          "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused", now: now,
          probeTimes: true)
      }
      return
    }
    if current?["reason"]?.stringValue == "DeploymentPaused" {
      updated.setCondition(
        "Progressing", status: "Unknown", reason: "DeploymentResumed", message: "Deployment is resumed", now: now,
        probeTimes: true)
      return
    }
    guard let deadline = deployment["spec"]?["progressDeadlineSeconds"]?.intValue else { return }
    let status = updated["status"]
    let complete =
      status?["updatedReplicas"]?.intValue ?? 0 == replicas && status?["replicas"]?.intValue ?? 0 == replicas
      && status?["availableReplicas"]?.intValue ?? 0 == replicas
    let old = deployment["status"]
    let progressing =
      (status?["updatedReplicas"]?.intValue ?? 0) > (old?["updatedReplicas"]?.intValue ?? 0)
      || (status?["readyReplicas"]?.intValue ?? 0) > (old?["readyReplicas"]?.intValue ?? 0)
      || (status?["availableReplicas"]?.intValue ?? 0) > (old?["availableReplicas"]?.intValue ?? 0)
      || (status?["replicas"]?.intValue ?? 0) < (old?["replicas"]?.intValue ?? 0)
    if complete {
      updated.setCondition(
        "Progressing", status: "True", reason: "NewReplicaSetAvailable",
        message: "ReplicaSet \"\(name)\" has successfully progressed.", now: now, probeTimes: true)
    } else if let event = progressEvent {
      updated.setCondition(
        "Progressing", status: "True", reason: event.reason, message: event.message, now: now, probeTimes: true)
      requeueAfter = .seconds(deadline)
    } else if progressing || current == nil {
      updated.setCondition(
        "Progressing", status: "True", reason: "ReplicaSetUpdated", message: "ReplicaSet \"\(name)\" is progressing.",
        now: now, probeTimes: true)
      requeueAfter = .seconds(deadline)
    } else if current?["reason"]?.stringValue != "ProgressDeadlineExceeded",
      let since = current?["lastUpdateTime"]?.stringValue.flatMap({ try? KubeTime(parsing: $0) })
    {
      let expires = since.adding(seconds: deadline)
      if expires <= now {
        updated.setCondition(
          "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
          message: "ReplicaSet \"\(name)\" has timed out progressing.", now: now, probeTimes: true)
        controller.context.recorder.record(
          deployment, .warning, reason: "ProgressDeadlineExceeded",
          message: "ReplicaSet \"\(name)\" has timed out progressing.")
      } else {
        requeueAfter = .seconds(max(1, expires.seconds - now.seconds))
      }
    }
  }
}
