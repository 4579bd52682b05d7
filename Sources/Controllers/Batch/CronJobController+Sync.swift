import Foundation
import KubeAPI
import KubeClient

extension CronJobController {
  struct SyncResult {
    var requeueAfter: Int64?
    var updateStatus = false
    var error: (any Error)?
  }

  enum Missed { case none, few, many }

  /// Reconciles `status.active` with the Jobs that exist, then starts the Job of the most
  /// recent unmet schedule if policy allows (upstream's syncCronJob).
  func syncCronJob(_ cronJob: inout JSONValue, _ jobs: [JSONValue]) async -> SyncResult {
    let now = context.clock.nowMilliseconds()
    var result = SyncResult()
    let namespace = cronJob.metadata.namespace ?? ""
    var children = Set<String>()
    for job in jobs {
      let uid = job.metadata.uid ?? ""
      children.insert(uid)
      let found = Self.isActive(cronJob, uid: uid)
      let finished = JobStatus.finishedType(job)
      if !found && finished == nil {
        do {
          let fresh = try await context.client.get(.cronJobs, namespace: namespace, name: cronJob.metadata.name ?? "")
          if Self.isActive(fresh, uid: uid) {
            cronJob = fresh
            continue
          }
        } catch {
          result.error = error
          return result
        }
        context.recorder.record(
          cronJob, .warning, reason: "UnexpectedJob",
          message: "Saw a job that the controller did not create or forgot: \(job.metadata.name ?? "")")
      } else if found, let finished {
        Self.removeFromActive(&cronJob, uid: uid)
        context.recorder.record(
          cronJob, reason: "SawCompletedJob",
          message: "Saw completed job: \(job.metadata.name ?? ""), status: \(finished)")
        result.updateStatus = true
      } else if finished == "Complete", let completed = job["status"]?["completionTime"]?.stringValue {
        let last = cronJob["status"]?["lastSuccessfulTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) }
        if let time = try? KubeTime(parsing: completed), last.map({ time > $0 }) ?? true {
          cronJob["status"]?["lastSuccessfulTime"] = .string(completed)
          result.updateStatus = true
        }
      }
    }
    for reference in Self.activeList(cronJob) where !children.contains(reference["uid"]?.stringValue ?? "") {
      let name = reference["name"]?.stringValue ?? ""
      do {
        _ = try await context.client.get(.jobs, namespace: namespace, name: name)
      } catch  where error.isNotFound {
        context.recorder.record(cronJob, reason: "MissingJob", message: "Active job went missing: \(name)")
        Self.removeFromActive(&cronJob, uid: reference["uid"]?.stringValue ?? "")
        result.updateStatus = true
      } catch {
        result.error = error
        return result
      }
    }
    if cronJob.metadata.isBeingDeleted { return result }
    let spec = cronJob["spec"] ?? .object([:])
    if let zoneName = spec["timeZone"]?.stringValue, CronSchedule.zone(named: zoneName) == nil {
      context.recorder.record(
        cronJob, .warning, reason: "UnknownTimeZone",
        message: "invalid timeZone: \"\(zoneName)\": unknown time zone \(zoneName)")
      return result
    }
    if spec["suspend"]?.boolValue == true { return result }
    let text = spec["schedule"]?.stringValue ?? ""
    if text.contains("TZ") {
      context.recorder.record(
        cronJob, .warning, reason: "UnsupportedSchedule",
        message:
          "CRON_TZ or TZ used in schedule \"\(text)\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"
      )
    }
    let schedule: CronSchedule
    do {
      schedule = try CronSchedule(parsing: text)
    } catch {
      context.recorder.record(
        cronJob, .warning, reason: "UnparseableSchedule", message: "unparseable schedule: \"\(text)\" : \(error)")
      return result
    }
    let scheduled: Int64?
    do {
      scheduled = try nextScheduleTime(cronJob, schedule, now: now)
    } catch {
      context.recorder.record(
        cronJob, .warning, reason: "InvalidSchedule", message: "invalid schedule: \(text) : \(error)")
      return result
    }
    result.requeueAfter = nextScheduleDelay(cronJob, schedule, now: now)
    guard let scheduled else { return result }
    if let deadline = spec["startingDeadlineSeconds"]?.intValue, scheduled + deadline * 1000 < now {
      context.recorder.record(
        cronJob, .warning, reason: "MissSchedule",
        message: "Missed scheduled time to start a job: \(Self.rfc1123(scheduled))")
      return result
    }
    let jobName = "\(cronJob.metadata.name ?? "")-\(CronSchedule.floorDiv(scheduled, 60_000))"
    let lastScheduled = cronJob["status"]?["lastScheduleTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) }
    if Self.activeList(cronJob).contains(where: { $0["name"]?.stringValue == jobName })
      || lastScheduled?.seconds == CronSchedule.floorDiv(scheduled, 1000)
    {
      return result
    }
    let policy = spec["concurrencyPolicy"]?.stringValue ?? "Allow"
    if policy == "Forbid" && !Self.activeList(cronJob).isEmpty {
      context.recorder.record(
        cronJob, reason: "JobAlreadyActive",
        message: "Not starting job because prior execution is running and concurrency policy is Forbid")
      return result
    }
    if policy == "Replace" {
      for reference in Self.activeList(cronJob) {
        let name = reference["name"]?.stringValue ?? ""
        let job: JSONValue
        do {
          job = try await context.client.get(.jobs, namespace: namespace, name: name)
        } catch {
          context.recorder.record(cronJob, .warning, reason: "FailedGet", message: "Get job: \(error)")
          return SyncResult(requeueAfter: nil, updateStatus: result.updateStatus, error: error)
        }
        guard await deleteJob(&cronJob, job) else {
          return SyncResult(
            requeueAfter: nil, updateStatus: result.updateStatus,
            error: KubeClientError.transport("could not replace job \(namespace)/\(name)"))
        }
        result.updateStatus = true
      }
    }
    let created: JSONValue
    do {
      created = try await context.client.create(
        .jobs, namespace: namespace, jobFromTemplate(cronJob, jobName, scheduled))
      context.recorder.record(cronJob, reason: "SuccessfulCreate", message: "Created job \(jobName)")
    } catch  where error.isAlreadyExists {
      guard let existing = try? await context.client.get(.jobs, namespace: namespace, name: jobName),
        existing.metadata.controllerReference?.uid == cronJob.metadata.uid,
        !Self.isActive(cronJob, uid: existing.metadata.uid ?? "")
      else { return SyncResult(requeueAfter: nil, updateStatus: result.updateStatus) }
      created = existing
    } catch {
      context.recorder.record(cronJob, .warning, reason: "FailedCreate", message: "Error creating job: \(error)")
      return SyncResult(requeueAfter: nil, updateStatus: result.updateStatus, error: error)
    }
    var active = Self.activeList(cronJob)
    active.append([
      "kind": "Job", "namespace": .string(namespace), "name": .string(created.metadata.name ?? ""),
      "uid": .string(created.metadata.uid ?? ""), "apiVersion": "batch/v1",
      "resourceVersion": .string(created.metadata.resourceVersion ?? ""),
    ])
    if cronJob["status"] == nil { cronJob["status"] = .object([:]) }
    cronJob["status"]?["active"] = .array(active)
    cronJob["status"]?["lastScheduleTime"] = .string(KubeTime(milliseconds: scheduled).rfc3339)
    result.updateStatus = true
    return result
  }

  /// The Job for one scheduled time: the template's labels, annotations and spec, the
  /// scheduled-timestamp annotation (RFC 3339 in the CronJob's zone) and a controller reference.
  func jobFromTemplate(_ cronJob: JSONValue, _ name: String, _ scheduled: Int64) -> JSONValue {
    let template = cronJob["spec"]?["jobTemplate"] ?? .object([:])
    var metadata: [String: JSONValue] = [
      "name": .string(name), "namespace": .string(cronJob.metadata.namespace ?? ""),
      "ownerReferences": [OwnerReferences.controller(of: cronJob)],
    ]
    if let labels = template["metadata"]?["labels"], !labels.isNull { metadata["labels"] = labels }
    var annotations = template["metadata"]?["annotations"]?.objectValue ?? [:]
    let zone = CronSchedule.zone(named: cronJob["spec"]?["timeZone"]?.stringValue ?? "") ?? TimeZone(identifier: "UTC")!
    annotations[Self.scheduledTimestampAnnotation] = .string(Self.rfc3339(scheduled, in: zone))
    metadata["annotations"] = .object(annotations)
    return [
      "apiVersion": "batch/v1", "kind": "Job", "metadata": .object(metadata),
      "spec": template["spec"] ?? .object([:]),
    ]
  }

  /// The most recent unmet schedule time at or before now, if any (upstream's nextScheduleTime).
  func nextScheduleTime(_ cronJob: JSONValue, _ schedule: CronSchedule, now: Int64) throws(CronScheduleError)
    -> Int64?
  {
    let (_, mostRecent, missed) = try mostRecentScheduleTime(cronJob, schedule, now: now, useDeadline: true)
    guard let mostRecent, mostRecent <= now else { return nil }
    if missed == .many {
      context.recorder.record(
        cronJob, .warning, reason: "TooManyMissedTimes",
        message: "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
    }
    return mostRecent
  }

  /// Milliseconds until just after the next schedule time (upstream's nextScheduleTimeDuration).
  func nextScheduleDelay(_ cronJob: JSONValue, _ schedule: CronSchedule, now: Int64) -> Int64? {
    var base = now
    if let found = try? mostRecentScheduleTime(cronJob, schedule, now: now, useDeadline: false) {
      base = found.mostRecent ?? (found.missed == .none ? found.earliest : now)
    }
    guard let next = schedule.next(after: base, in: zone(cronJob)) else { return nil }
    return next + Self.nextScheduleDelta - now
  }

  /// From the last schedule time (or creation), the latest schedule time not after now, and
  /// roughly how many were missed; the search starts near the end so a long outage stays cheap.
  func mostRecentScheduleTime(_ cronJob: JSONValue, _ schedule: CronSchedule, now: Int64, useDeadline: Bool)
    throws(CronScheduleError) -> (earliest: Int64, mostRecent: Int64?, missed: Missed)
  {
    let zone = zone(cronJob)
    let status = cronJob["status"]
    var earliest =
      (status?["lastScheduleTime"]?.stringValue ?? cronJob.metadata.creationTimestamp)
      .flatMap { try? KubeTime(parsing: $0) }?.milliseconds ?? now
    if useDeadline, let deadline = cronJob["spec"]?["startingDeadlineSeconds"]?.intValue {
      earliest = max(earliest, now - deadline * 1000)
    }
    let never = CronScheduleError("time difference between two schedules is less than 1 second")
    guard let t1 = schedule.next(after: earliest, in: zone) else { throw never }
    if now < t1 { return (earliest, nil, .none) }
    guard let t2 = schedule.next(after: t1, in: zone) else { throw never }
    if now < t2 { return (earliest, t1, .none) }
    let between = ((t2 - t1) + 500) / 1000
    guard between >= 1 else { throw never }
    let missedCount = (now - t1) / 1000 / between + 1
    var mostRecent: Int64?
    var cursor = schedule.next(after: t1 + (missedCount - 2) * between * 1000, in: zone)
    while let t = cursor, t <= now {
      mostRecent = t
      cursor = schedule.next(after: t, in: zone)
    }
    let missed: Missed = missedCount > 100 ? .many : (missedCount > 0 ? .few : .none)
    return (earliest, mostRecent, missed)
  }

  func zone(_ cronJob: JSONValue) -> TimeZone {
    guard let name = cronJob["spec"]?["timeZone"]?.stringValue else { return defaultTimeZone }
    return CronSchedule.zone(named: name) ?? defaultTimeZone
  }

  /// Go's RFC 3339 with the zone's offset ("Z" at offset zero).
  static func rfc3339(_ milliseconds: Int64, in zone: TimeZone) -> String {
    let seconds = CronSchedule.floorDiv(milliseconds, 1000)
    let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    let local = KubeTime(seconds: seconds + Int64(offset)).rfc3339.dropLast()
    guard offset != 0 else { return local + "Z" }
    let sign = offset < 0 ? "-" : "+"
    let minutes = abs(offset) / 60
    let hh = minutes / 60 < 10 ? "0\(minutes / 60)" : "\(minutes / 60)"
    let mm = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
    return local + sign + hh + ":" + mm
  }

  /// Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000".
  static func rfc1123(_ milliseconds: Int64) -> String {
    let calendar = ZonedCalendar(zone: TimeZone(identifier: "UTC")!)
    let c = calendar.fields(CronSchedule.floorDiv(milliseconds, 1000))
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return
      "\(days[c.weekday]), \(two(c.day)) \(months[c.month - 1]) \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
  }
}
