import Controllers
import Foundation
import KubeAPI
import KubeClient
import SkiffCore
import Testing

@Suite struct TTLAfterFinishedControllerTests {
  @Test func deletesAFinishedJobWhenItsTTLRunsOut() async throws {
    let clock = MovableClock(milliseconds: SystemClock().nowMilliseconds())
    let cluster = try await TestCluster.start(clock: clock) {
      [JobController(context: $0), TTLAfterFinishedController(context: $0)]
    }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("short-lived", ["ttlSecondsAfterFinished": 100])
    let pods = try await cluster.waitForActivePods("short-lived", 1)
    try await cluster.markFinished(pods[0])
    let done = try await cluster.waitForJobCondition("short-lived", "Complete")

    // Not yet: the clock has not moved past the TTL. A change makes the controller look again.
    try await cluster.client.patch(
      .jobs, namespace: "default", name: "short-lived", ["metadata": ["labels": ["look": "1"]]])
    try await cluster.eventually("label seen") {
      try await cluster.job("short-lived").metadata.labels?["look"] == "1" ? true : nil
    }
    #expect(try await cluster.job("short-lived").metadata.uid == done.metadata.uid)

    clock.advance(seconds: 101)
    // Any event may already have shown the controller the moved clock: the Job can be gone.
    _ = try? await cluster.client.patch(
      .jobs, namespace: "default", name: "short-lived", ["metadata": ["labels": ["look": "2"]]])
    try await cluster.eventually("job deleted") { try await cluster.jobGone("short-lived") }
  }

  @Test func zeroTTLDeletesAtOnceAndUnfinishedJobsStay() async throws {
    let cluster = try await TestCluster.start {
      [JobController(context: $0), TTLAfterFinishedController(context: $0)]
    }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("gone", ["ttlSecondsAfterFinished": 0])
    try await cluster.createJob("running", ["ttlSecondsAfterFinished": 0])
    let pods = try await cluster.waitForActivePods("gone", 1)
    _ = try await cluster.waitForActivePods("running", 1)
    try await cluster.markFinished(pods[0])
    try await cluster.eventually("finished job deleted") { try await cluster.jobGone("gone") }
    #expect(try await cluster.job("running")["status"]?["active"]?.intValue == 1)
  }
}
