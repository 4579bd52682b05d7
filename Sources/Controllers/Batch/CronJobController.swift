import Foundation
import KubeAPI
import KubeClient

/// Creates Jobs from CronJobs on their schedule as kube-controller-manager's cronjob
/// controller (v2) does: one Job per scheduled minute named `<cronjob>-<minutes since epoch>`,
/// concurrency policies, starting deadlines, history limits, and a requeue at the next
/// scheduled time. Time comes from `context.clock`.
public struct CronJobController: Controller {
  public let name = "cronjob"
  static let scheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp"
  /// A requeue lands this long after the scheduled instant, so the sync sees it as due.
  static let nextScheduleDelta: Int64 = 100

  let context: ControllerContext
  /// The zone of schedules without `spec.timeZone` (upstream: the controller manager's local zone).
  let defaultTimeZone: TimeZone
  let queue = WorkQueue(baseDelay: .milliseconds(100), maxDelay: .seconds(60))

  public init(context: ControllerContext, defaultTimeZone: TimeZone = .current) {
    self.context = context
    self.defaultTimeZone = defaultTimeZone
  }

  public func run() async {
    let cronJobs = context.informers.informer(.cronJobs)
    let jobs = context.informers.informer(.jobs)
    jobs.cache.addIndex(OwnerReferences.controllerIndex, OwnerReferences.byController)
    cronJobs.onEvent { event in cronJobChanged(event) }
    jobs.onEvent { event in jobChanged(event) }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key: key) }
  }

  var cronJobCache: ObjectCache { context.informers.cache(.cronJobs) }
  var jobCache: ObjectCache { context.informers.cache(.jobs) }

  private func cronJobChanged(_ event: InformerEvent) {
    let key = event.object.metadata.key
    guard case .updated(let old, let new) = event else { return queue.add(key) }
    let schedule = new["spec"]?["schedule"]
    let zone = new["spec"]?["timeZone"]
    guard old["spec"]?["schedule"] != schedule || old["spec"]?["timeZone"] != zone else { return queue.add(key) }
    // A new schedule: wake up at its next time (a sooner one than already queued).
    guard let parsed = try? CronSchedule(parsing: schedule?.stringValue ?? ""),
      let delay = nextScheduleDelay(new, parsed, now: context.clock.nowMilliseconds())
    else {
      context.recorder.record(
        new, .warning, reason: "UnParseableCronJobSchedule",
        message: "unparseable schedule for cronjob: \(schedule?.stringValue ?? "")")
      return
    }
    queue.add(key, after: .milliseconds(delay))
  }

  private func jobChanged(_ event: InformerEvent) {
    var refs: [OwnerReference?] = [event.object.metadata.controllerReference]
    if case .updated(let old, let new) = event {
      if old.metadata.resourceVersion == new.metadata.resourceVersion { return }
      if old.metadata.controllerReference != new.metadata.controllerReference {
        refs.append(old.metadata.controllerReference)
      }
    }
    for ref in refs.compactMap({ $0 }) {
      if let cronJob = resolve(namespace: event.object.metadata.namespace, ref) { queue.add(cronJob.metadata.key) }
    }
  }

  func resolve(namespace: String?, _ ref: OwnerReference) -> JSONValue? {
    guard ref.kind == "CronJob", let cronJob = cronJobCache.get(namespace: namespace, name: ref.name),
      cronJob.metadata.uid == ref.uid
    else { return nil }
    return cronJob
  }

  func sync(key: String) async throws {
    guard let cached = cronJobCache.get(key) else { return }
    let jobs = jobCache.byIndex(OwnerReferences.controllerIndex, cached.metadata.uid ?? "")
    var cronJob = cached
    let cleaned = await cleanupFinishedJobs(&cronJob, jobs)
    let result = await syncCronJob(&cronJob, jobs)
    if cleaned || result.updateStatus {
      try await context.client.update(.cronJobs, cronJob, subresource: "status")
    }
    if let delay = result.requeueAfter {
      queue.add(key, after: .milliseconds(max(delay, 0)))
      return
    }
    if let error = result.error { throw error }
  }

  // MARK: - History

  /// Deletes the oldest finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit.
  private func cleanupFinishedJobs(_ cronJob: inout JSONValue, _ jobs: [JSONValue]) async -> Bool {
    let spec = cronJob["spec"]
    let successLimit = spec?["successfulJobsHistoryLimit"]?.intValue
    let failedLimit = spec?["failedJobsHistoryLimit"]?.intValue
    guard successLimit != nil || failedLimit != nil else { return false }
    var updated = false
    if let successLimit,
      await removeOldest(&cronJob, jobs.filter { JobStatus.finishedType($0) == "Complete" }, keep: successLimit)
    {
      updated = true
    }
    if let failedLimit,
      await removeOldest(&cronJob, jobs.filter { JobStatus.finishedType($0) == "Failed" }, keep: failedLimit)
    {
      updated = true
    }
    return updated
  }

  private func removeOldest(_ cronJob: inout JSONValue, _ jobs: [JSONValue], keep: Int64) async -> Bool {
    let surplus = jobs.count - Int(keep)
    guard surplus > 0 else { return false }
    var updated = false
    for job in jobs.sorted(by: Self.byStartTime).prefix(surplus) {
      if await deleteJob(&cronJob, job) { updated = true }
    }
    return updated
  }

  /// Oldest `status.startTime` first (never started last), names breaking ties.
  static func byStartTime(_ a: JSONValue, _ b: JSONValue) -> Bool {
    let startA = a["status"]?["startTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) }
    let startB = b["status"]?["startTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) }
    guard let startB else { return startA != nil }
    guard let startA else { return false }
    if startA == startB { return (a.metadata.name ?? "") < (b.metadata.name ?? "") }
    return startA < startB
  }

  /// Deletes a Job (its pods follow through the garbage collector) and drops it from `status.active`.
  func deleteJob(_ cronJob: inout JSONValue, _ job: JSONValue) async -> Bool {
    let name = job.metadata.name ?? ""
    do {
      try await context.client.delete(
        .jobs, namespace: job.metadata.namespace, name: name,
        options: .init(propagationPolicy: .background))
    } catch  where !error.isNotFound {
      context.recorder.record(cronJob, .warning, reason: "FailedDelete", message: "Deleted job: \(error)")
      return false
    } catch {}
    Self.removeFromActive(&cronJob, uid: job.metadata.uid ?? "")
    context.recorder.record(cronJob, reason: "SuccessfulDelete", message: "Deleted job \(name)")
    return true
  }

  static func activeList(_ cronJob: JSONValue) -> [JSONValue] { cronJob["status"]?["active"]?.arrayValue ?? [] }

  static func isActive(_ cronJob: JSONValue, uid: String) -> Bool {
    activeList(cronJob).contains { $0["uid"]?.stringValue == uid }
  }

  static func removeFromActive(_ cronJob: inout JSONValue, uid: String) {
    let remaining = activeList(cronJob).filter { $0["uid"]?.stringValue != uid }
    if cronJob["status"] == nil { cronJob["status"] = .object([:]) }
    cronJob["status"]?["active"] = remaining.isEmpty ? nil : .array(remaining)
  }
}
