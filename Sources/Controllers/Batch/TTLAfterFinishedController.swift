import KubeAPI
import KubeClient

/// Deletes Jobs `spec.ttlSecondsAfterFinished` seconds after they finished (their Complete
/// or Failed condition's transition time), as kube-controller-manager's ttl-after-finished
/// controller does; the garbage collector then removes their pods.
public struct TTLAfterFinishedController: Controller {
  public let name = "ttl-after-finished"
  let context: ControllerContext
  let queue = WorkQueue(baseDelay: .milliseconds(100), maxDelay: .seconds(60))

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let jobs = context.informers.informer(.jobs)
    jobs.onEvent { [queue] event in
      if case .deleted = event { return }
      if Self.needsCleanup(event.object) { queue.add(event.object.metadata.key) }
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key: key) }
  }

  static func needsCleanup(_ job: JSONValue) -> Bool {
    !job.metadata.isBeingDeleted && job["spec"]?["ttlSecondsAfterFinished"]?.intValue != nil
      && JobStatus.isFinished(job)
  }

  /// Milliseconds the Job has left; nil when it has no TTL, is not finished, or its finish time is unknown.
  func timeLeft(_ job: JSONValue, now: Int64) -> Int64? {
    guard Self.needsCleanup(job), let ttl = job["spec"]?["ttlSecondsAfterFinished"]?.intValue else { return nil }
    let finished = (job["status"]?["conditions"]?.arrayValue ?? []).first {
      let type = $0["type"]?.stringValue
      return (type == "Complete" || type == "Failed") && $0["status"]?.stringValue == "True"
    }
    guard let text = finished?["lastTransitionTime"]?.stringValue, let time = try? KubeTime(parsing: text) else {
      return nil
    }
    return time.milliseconds + ttl * 1000 - now
  }

  func sync(key: String) async throws {
    guard let cached = context.informers.cache(.jobs).get(key) else { return }
    guard let left = timeLeft(cached, now: context.clock.nowMilliseconds()) else { return }
    if left > 0 {
      queue.add(key, after: .milliseconds(left))
      return
    }
    // The cache may be stale (TTL changed, Job recreated): decide again on a fresh read.
    let namespace = cached.metadata.namespace
    let name = cached.metadata.name ?? ""
    let fresh: JSONValue
    do {
      fresh = try await context.client.get(.jobs, namespace: namespace, name: name)
    } catch  where error.isNotFound {
      return
    }
    guard let freshLeft = timeLeft(fresh, now: context.clock.nowMilliseconds()) else { return }
    if freshLeft > 0 {
      queue.add(key, after: .milliseconds(freshLeft))
      return
    }
    do {
      try await context.client.delete(
        .jobs, namespace: namespace, name: name,
        options: .init(propagationPolicy: .background, preconditionUID: fresh.metadata.uid))
    } catch  where error.isNotFound {}
  }
}
