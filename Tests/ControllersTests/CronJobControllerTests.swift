import Controllers
import Foundation
import KubeAPI
import KubeClient
import SkiffCore
import Testing

@Suite struct CronJobControllerTests {
  /// Creates a CronJob; `spec` is merged over a five-minutely one in UTC.
  @discardableResult
  static func createCronJob(_ cluster: TestCluster, _ name: String, _ spec: JSONValue = [:]) async throws -> JSONValue {
    var cronSpec: JSONValue = [
      "schedule": "*/5 * * * *", "timeZone": "Etc/UTC",
      "jobTemplate": [
        "metadata": ["labels": ["app": .string(name)]],
        "spec": [
          "template": [
            "spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox"]]]
          ]
        ],
      ],
    ]
    for (key, value) in spec.objectValue ?? [:] { cronSpec[key] = value }
    return try await cluster.client.create(
      .cronJobs, namespace: "default",
      ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)], "spec": cronSpec])
  }

  /// Any change wakes the controller up: it requeues on real time, the test moved the clock.
  static func poke(_ cluster: TestCluster, _ name: String) async throws {
    try await cluster.client.patch(
      .cronJobs, namespace: "default", name: name,
      ["metadata": ["annotations": ["test/poke": .string(UUID().uuidString)]]])
  }

  /// The first schedule time (milliseconds) after the CronJob's creation.
  static func firstRun(_ cronJob: JSONValue, _ spec: String = "*/5 * * * *", zone: String = "UTC") throws -> Int64 {
    let created = try KubeTime(parsing: cronJob.metadata.creationTimestamp ?? "").milliseconds
    return try CronSchedule(parsing: spec).next(after: created, in: TimeZone(identifier: zone)!)!
  }

  static func jobs(_ cluster: TestCluster, _ cronJob: String) async throws -> [JSONValue] {
    try await cluster.client.list(.jobs, namespace: "default").items.filter {
      $0.metadata.controllerReference?.name == cronJob
    }
  }

  /// Waits until the CronJob's status lists exactly these active Jobs: the controller writes
  /// status after creating a Job, and moving the clock before that write lands races it.
  static func waitForActive(_ cluster: TestCluster, _ cronJob: String, _ names: [String]) async throws {
    try await cluster.eventually("\(cronJob) active \(names)") {
      let status = try await cluster.client.get(.cronJobs, namespace: "default", name: cronJob)["status"]
      let active = status?["active"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
      return active == names ? true : nil
    }
  }

  /// Plays the job controller: marks the Job finished as it would.
  static func finish(_ cluster: TestCluster, _ job: JSONValue, type: String, at time: KubeTime) async throws {
    var status: JSONValue = [
      "startTime": .string(time.rfc3339),
      "conditions": [
        ["type": .string(type), "status": "True", "lastTransitionTime": .string(time.rfc3339)]
      ],
    ]
    if type == "Complete" {
      status["completionTime"] = .string(time.rfc3339)
      status["succeeded"] = 1
    }
    try await cluster.client.patch(
      .jobs, namespace: "default", name: job.metadata.name ?? "", ["status": status], subresource: "status")
  }

  @Test func createsJobsOnScheduleInItsTimeZone() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    // Kolkata is UTC+05:30 all year: five-minute boundaries fall on the same instants as in UTC.
    let cronJob = try await Self.createCronJob(cluster, "tick", ["timeZone": "Asia/Kolkata"])
    let due = try Self.firstRun(cronJob, zone: "Asia/Kolkata")
    clock.set(due + 1_000)
    try await Self.poke(cluster, "tick")

    let name = "tick-\(due / 60_000)"
    let job = try await cluster.eventually("job \(name)") {
      try await cluster.client.get(.jobs, namespace: "default", name: name)
    }
    let owner = job.metadata.controllerReference
    #expect(owner?.kind == "CronJob" && owner?.uid == cronJob.metadata.uid)
    #expect(job.metadata.labels?["app"] == "tick")
    let stamp = job.metadata.annotations?["batch.kubernetes.io/cronjob-scheduled-timestamp"] ?? ""
    #expect(stamp.hasSuffix("+05:30"))
    #expect(try KubeTime(parsing: String(stamp.dropLast(6)) + "Z").adding(seconds: -19_800).milliseconds == due)
    let status = try await cluster.eventually("status.active") {
      let status = try await cluster.client.get(.cronJobs, namespace: "default", name: "tick")["status"]
      return status?["active"]?.arrayValue?.count == 1 ? status : nil
    }
    #expect(status["active"]?[0]?["name"]?.stringValue == name)
    #expect(status["active"]?[0]?["uid"]?.stringValue == job.metadata.uid)
    #expect(status["lastScheduleTime"]?.stringValue == KubeTime(milliseconds: due).rfc3339)
    let events = try await cluster.eventually("SuccessfulCreate") {
      try await cluster.eventReasons("tick")["SuccessfulCreate"]
    }
    #expect(events == ["Created job \(name)"])
  }

  @Test func forbidSkipsAndReplaceReplacesARunningJob() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let forbid = try await Self.createCronJob(cluster, "forbid", ["concurrencyPolicy": "Forbid"])
    try await Self.createCronJob(cluster, "replace", ["concurrencyPolicy": "Replace"])
    let due = try Self.firstRun(forbid)
    clock.set(due + 1_000)
    try await Self.poke(cluster, "forbid")
    try await Self.poke(cluster, "replace")
    try await cluster.eventually("first jobs") {
      let a = try await Self.jobs(cluster, "forbid")
      let b = try await Self.jobs(cluster, "replace")
      return a.count == 1 && b.count == 1 ? true : nil
    }
    let firstReplace = try await Self.jobs(cluster, "replace")[0]
    try await Self.waitForActive(cluster, "replace", [firstReplace.metadata.name ?? ""])
    try await Self.waitForActive(cluster, "forbid", ["forbid-\(due / 60_000)"])

    // Five minutes later the first Jobs still run (nothing finishes them).
    clock.set(due + 300_000 + 1_000)
    try await Self.poke(cluster, "replace")
    // Each look at the CronJob makes the decision again (and records it again).
    let skipped = try await cluster.eventually("JobAlreadyActive") {
      try await Self.poke(cluster, "forbid")
      return try await cluster.eventReasons("forbid")["JobAlreadyActive"]
    }
    #expect(skipped.first == "Not starting job because prior execution is running and concurrency policy is Forbid")
    #expect(try await Self.jobs(cluster, "forbid").count == 1)

    let second = "replace-\((due + 300_000) / 60_000)"
    try await cluster.eventually("replacement job") {
      let jobs = try await Self.jobs(cluster, "replace").filter { !$0.metadata.isBeingDeleted }
      return jobs.map(\.metadata.name) == [second] ? true : nil
    }
    try await Self.waitForActive(cluster, "replace", [second])
    let deleted = try await cluster.eventually("SuccessfulDelete") {
      try await cluster.eventReasons("replace")["SuccessfulDelete"]
    }
    #expect(deleted == ["Deleted job \(firstReplace.metadata.name ?? "")"])
  }

  @Test func keepsOnlyTheHistoryLimits() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let cronJob = try await Self.createCronJob(
      cluster, "hist", ["schedule": "* * * * *", "successfulJobsHistoryLimit": 1, "failedJobsHistoryLimit": 1])
    var due = try Self.firstRun(cronJob, "* * * * *")
    var names: [String] = []
    for outcome in ["Complete", "Failed", "Complete"] {
      clock.set(due + 1_000)
      try await Self.poke(cluster, "hist")
      let name = "hist-\(due / 60_000)"
      let job = try await cluster.eventually("job \(name)") {
        try await cluster.client.get(.jobs, namespace: "default", name: name)
      }
      try await Self.waitForActive(cluster, "hist", [name])
      try await Self.finish(cluster, job, type: outcome, at: KubeTime(milliseconds: due + 30_000))
      try await cluster.eventually("\(name) no longer active") {
        let status = try await cluster.client.get(.cronJobs, namespace: "default", name: "hist")["status"]
        return status?["active"] == nil ? true : nil
      }
      names.append(name)
      due += 60_000
    }
    // Two successes with a limit of one: the older one goes; the one failure stays.
    let kept: Set<String> = [names[1], names[2]]
    try await cluster.eventually("oldest success deleted") {
      let left = try await Self.jobs(cluster, "hist").filter { !$0.metadata.isBeingDeleted }.compactMap(\.metadata.name)
      return Set(left) == kept ? true : nil
    }
    let lastSuccess = KubeTime(milliseconds: due - 60_000 + 30_000).rfc3339
    let status = try await cluster.eventually("lastSuccessfulTime") {
      let status = try await cluster.client.get(.cronJobs, namespace: "default", name: "hist")["status"]
      return status?["lastSuccessfulTime"]?.stringValue == lastSuccess
        ? status : nil
    }
    #expect(status["lastScheduleTime"]?.stringValue == KubeTime(milliseconds: due - 60_000).rfc3339)
    let failedSeen = "Saw completed job: \(names[1]), status: Failed"
    try await cluster.eventually("SawCompletedJob for the failed job") {
      try await cluster.eventReasons("hist")["SawCompletedJob"]?.contains(failedSeen) == true ? true : nil
    }
  }

  @Test func warnsAboutTooManyMissedStartTimes() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await Self.createCronJob(cluster, "late", ["schedule": "* * * * *"])
    clock.advance(seconds: 200 * 60)
    try await Self.poke(cluster, "late")
    let warning = try await cluster.eventually("TooManyMissedTimes") {
      try await cluster.eventReasons("late")["TooManyMissedTimes"]
    }
    #expect(
      warning.first == "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
    // Only the most recent missed time runs.
    let jobs = try await cluster.eventually("one job") {
      let jobs = try await Self.jobs(cluster, "late")
      return jobs.isEmpty ? nil : jobs
    }
    #expect(jobs.map(\.metadata.name) == ["late-\(clock.nowMilliseconds() / 60_000)"])
  }

  @Test func suspendedCronJobStartsNothing() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let cronJob = try await Self.createCronJob(cluster, "idle", ["suspend": true])
    let due = try Self.firstRun(cronJob)
    clock.set(due + 1_000)
    try await Self.poke(cluster, "idle")
    // Unsuspending within the window starts the missed run.
    try await cluster.client.patch(.cronJobs, namespace: "default", name: "idle", ["spec": ["suspend": false]])
    let job = try await cluster.eventually("job after resume") {
      try await cluster.client.get(.jobs, namespace: "default", name: "idle-\(due / 60_000)")
    }
    #expect(job.metadata.controllerReference?.name == "idle")
  }

  @Test func scheduleWithTimeZonePrefixIsRefused() async throws {
    let cluster = try await TestCluster.start { [CronJobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    do {
      try await Self.createCronJob(cluster, "tz", ["schedule": "CRON_TZ=Europe/Berlin 0 9 * * *"])
      Issue.record("a CRON_TZ= schedule was accepted")
    } catch let error as KubeClientError {
      #expect(error.statusCode == 422)
      #expect(error.description.contains("cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    }
  }
}
