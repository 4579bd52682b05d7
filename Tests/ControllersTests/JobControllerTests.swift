import Controllers
import KubeAPI
import KubeClient
import SkiffCore
import Testing

@Suite struct JobControllerTests {
  @Test func runsToCompletionWithParallelism() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    let created = try await cluster.createJob("work", ["parallelism": 2, "completions": 4])
    let uid = created.metadata.uid ?? ""

    let first = try await cluster.waitForActivePods("work", 2)
    for pod in first {
      #expect(pod.metadata.generateName == "work-")
      #expect(pod.metadata.name?.hasPrefix("work-") == true)
      #expect(pod.metadata.labels?["batch.kubernetes.io/controller-uid"] == uid)
      #expect(pod.metadata.labels?["batch.kubernetes.io/job-name"] == "work")
      #expect(pod.metadata.labels?["controller-uid"] == uid)
      #expect(pod.metadata.labels?["job-name"] == "work")
      #expect(pod.metadata.finalizers == ["batch.kubernetes.io/job-tracking"])
      let owner = pod.metadata.controllerReference
      #expect(owner?.uid == uid && owner?.kind == "Job" && owner?.apiVersion == "batch/v1")
    }
    try await cluster.markRunning(first[0])
    try await cluster.eventually("status.active 2, ready 1") {
      let status = try await cluster.job("work")["status"]
      return status?["active"]?.intValue == 2 && status?["ready"]?.intValue == 1 ? true : nil
    }
    for pod in first { try await cluster.markFinished(pod) }
    let second = try await cluster.eventually("two new active pods") {
      let pods = try await cluster.activeJobPods("work")
      return pods.count == 2 && Set(pods.map(\.metadata.uid)).isDisjoint(with: first.map(\.metadata.uid)) ? pods : nil
    }
    for pod in second { try await cluster.markFinished(pod) }

    let done = try await cluster.waitForJobCondition("work", "Complete")
    let status = done["status"] ?? .null
    #expect(status["succeeded"]?.intValue == 4)
    #expect(status["failed"] == nil)
    #expect(status["active"] == nil)
    #expect(status["startTime"]?.stringValue != nil)
    #expect(status["completionTime"]?.stringValue != nil)
    #expect(status["uncountedTerminatedPods"] == [:])
    let conditions = status["conditions"]?.arrayValue ?? []
    #expect(conditions.map { $0["type"]?.stringValue } == ["SuccessCriteriaMet", "Complete"])
    #expect(conditions.allSatisfy { $0["reason"]?.stringValue == "CompletionsReached" })
    // Every pod was counted, so none keeps the tracking finalizer.
    let pods = try await cluster.eventually("finalizers removed") {
      let pods = try await cluster.jobPods("work")
      return pods.allSatisfy({ $0.metadata.finalizers == nil }) ? pods : nil
    }
    #expect(pods.count == 4)
    let events = try await cluster.eventually("events") {
      let events = try await cluster.eventReasons("work")
      return events["Completed"] != nil && events["SuccessfulCreate"]?.count == 4 ? events : nil
    }
    #expect(Set(events["SuccessfulCreate"] ?? []) == Set(pods.map { "Created pod: \($0.metadata.name ?? "")" }))
    #expect(events["Completed"] == ["Job completed"])
  }

  @Test func retriesThenFailsWithBackoffLimitExceeded() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("flaky", ["backoffLimit": 1])
    let first = try await cluster.waitForActivePods("flaky", 1)
    // Exits reported an hour late: the 10 s recreation backoff has long passed.
    try await cluster.markFinished(first[0], exitCode: 1, finishedSecondsAgo: 3600)
    let retry = try await cluster.eventually("a replacement pod") {
      let pods = try await cluster.activeJobPods("flaky")
      return pods.count == 1 && pods[0].metadata.uid != first[0].metadata.uid ? pods[0] : nil
    }
    try await cluster.markFinished(retry, exitCode: 1, finishedSecondsAgo: 3600)

    let failed = try await cluster.waitForJobCondition("flaky", "Failed")
    let status = failed["status"] ?? .null
    #expect(status["failed"]?.intValue == 2)
    #expect(status["completionTime"] == nil)
    let conditions = status["conditions"]?.arrayValue ?? []
    #expect(conditions.map { $0["type"]?.stringValue } == ["FailureTarget", "Failed"])
    #expect(conditions.allSatisfy { $0["reason"]?.stringValue == "BackoffLimitExceeded" })
    #expect(conditions.last?["message"]?.stringValue == "Job has reached the specified backoff limit")
    #expect(try await cluster.jobPods("flaky").count == 2)
    let events = try await cluster.eventually("BackoffLimitExceeded event") {
      try await cluster.eventReasons("flaky")["BackoffLimitExceeded"]
    }
    #expect(events == ["Job has reached the specified backoff limit"])
  }

  @Test func recreatesFailedPodsOnlyAfterBackoff() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("slow", ["backoffLimit": 3])
    let first = try await cluster.waitForActivePods("slow", 1)
    try await cluster.markFinished(first[0], exitCode: 2)
    // The sync that counted the failure is the one that decided not to recreate yet.
    try await cluster.eventually("failure counted") {
      try await cluster.job("slow")["status"]?["failed"]?.intValue == 1 ? true : nil
    }
    #expect(try await cluster.activeJobPods("slow").isEmpty)

    clock.advance(seconds: 60)
    try await cluster.client.patch(.jobs, namespace: "default", name: "slow", ["metadata": ["labels": ["poke": "1"]]])
    let replacement = try await cluster.waitForActivePods("slow", 1)
    #expect(replacement[0].metadata.uid != first[0].metadata.uid)
  }

  @Test func failsAfterActiveDeadline() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("deadline", ["activeDeadlineSeconds": 60, "parallelism": 2, "completions": 2])
    let pods = try await cluster.waitForActivePods("deadline", 2)
    try await cluster.markRunning(pods[0])
    // The deadline counts from status.startTime: it must be stored before the clock moves,
    // or a later sync would stamp the moved time and the deadline would lie a minute ahead.
    try await cluster.eventually("startTime recorded") {
      try await cluster.job("deadline")["status"]?["startTime"]?.stringValue
    }

    clock.advance(seconds: 61)
    try await cluster.client.patch(
      .jobs, namespace: "default", name: "deadline", ["metadata": ["labels": ["poke": "1"]]])
    let failed = try await cluster.waitForJobCondition("deadline", "Failed")
    let status = failed["status"] ?? .null
    let condition = status["conditions"]?.arrayValue?.last
    #expect(condition?["reason"]?.stringValue == "DeadlineExceeded")
    #expect(condition?["message"]?.stringValue == "Job was active longer than specified deadline")
    #expect(status["active"] == nil)
    #expect(status["failed"]?.intValue == 2)
    // The active pods were deleted; without finalizers (counted) they are gone.
    try await cluster.eventually("pods deleted") { try await cluster.jobPods("deadline").isEmpty ? true : nil }
    let events = try await cluster.eventually("DeadlineExceeded event") {
      try await cluster.eventReasons("deadline")["DeadlineExceeded"]
    }
    #expect(events == ["Job was active longer than specified deadline"])
  }

  @Test func suspendAndResume() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("paused", ["suspend": true, "parallelism": 2, "completions": 2])
    let suspended = try await cluster.waitForJobCondition("paused", "Suspended")
    let condition = suspended["status"]?["conditions"]?.arrayValue?.first
    #expect(condition?["reason"]?.stringValue == "JobSuspended")
    #expect(suspended["status"]?["startTime"] == nil)
    #expect(try await cluster.jobPods("paused").isEmpty)

    try await cluster.client.patch(.jobs, namespace: "default", name: "paused", ["spec": ["suspend": false]])
    let pods = try await cluster.waitForActivePods("paused", 2)
    let resumed = try await cluster.waitForJobCondition("paused", "Suspended", status: "False")
    #expect(resumed["status"]?["conditions"]?.arrayValue?.first?["reason"]?.stringValue == "JobResumed")
    #expect(resumed["status"]?["startTime"]?.stringValue != nil)

    // Suspending again deletes the running pods (their finalizer removed first: not counted).
    try await cluster.client.patch(.jobs, namespace: "default", name: "paused", ["spec": ["suspend": true]])
    _ = try await cluster.waitForJobCondition("paused", "Suspended")
    try await cluster.eventually("pods deleted") {
      let left = try await cluster.jobPods("paused")
      return left.allSatisfy({ pod in !pods.contains { $0.metadata.uid == pod.metadata.uid } }) ? true : nil
    }
    let status = try await cluster.job("paused")["status"]
    #expect(status?["failed"] == nil)
    let events = try await cluster.eventually("Suspended/Resumed events") {
      let events = try await cluster.eventReasons("paused")
      // A sync on a stale cache may record a transition twice, as upstream's can.
      return (events["Suspended"]?.count ?? 0) >= 2 && events["Resumed"] != nil ? events : nil
    }
    #expect((events["SuccessfulDelete"]?.count ?? 0) >= 2)
  }

  @Test func deletingAJobReleasesItsPodsTrackingFinalizers() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("doomed", ["parallelism": 2, "completions": 2])
    let pods = try await cluster.waitForActivePods("doomed", 2)
    #expect(pods.allSatisfy { $0.metadata.finalizers == ["batch.kubernetes.io/job-tracking"] })
    // No garbage collector runs here: the pods outlive their Job, and must not be stuck on the finalizer.
    try await cluster.client.delete(.jobs, namespace: "default", name: "doomed")
    try await cluster.eventually("finalizers removed from orphaned pods") {
      let left = try await cluster.jobPods("doomed")
      return left.count == 2 && left.allSatisfy({ $0.metadata.finalizers == nil }) ? true : nil
    }
  }
}
