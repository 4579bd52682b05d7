import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite struct JobPodFailurePolicyTests {
  static let policy: JSONValue = [
    "rules": [
      ["action": "Ignore", "onExitCodes": ["operator": "In", "values": [42]]],
      ["action": "FailJob", "onExitCodes": ["containerName": "main", "operator": "In", "values": [5, 6]]],
      ["action": "Ignore", "onPodConditions": [["type": "DisruptionTarget"]]],
    ]
  ]

  @Test func ignoredFailuresAreNotCountedAndFailJobEndsTheJob() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("policy", ["backoffLimit": 0, "podFailurePolicy": Self.policy])
    let first = try await cluster.waitForActivePods("policy", 1)
    try await cluster.markFinished(first[0], exitCode: 42, finishedSecondsAgo: 3600)
    let second = try await cluster.eventually("replacement after an ignored failure") {
      let pods = try await cluster.activeJobPods("policy")
      return pods.count == 1 && pods[0].metadata.uid != first[0].metadata.uid ? pods[0] : nil
    }
    // Disrupted pods are ignored too (a condition rule).
    try await cluster.markFinished(
      second, exitCode: 137, finishedSecondsAgo: 3600,
      conditions: [["type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI"]])
    let third = try await cluster.eventually("replacement after a disruption") {
      let pods = try await cluster.activeJobPods("policy")
      return pods.count == 1 && pods[0].metadata.uid != second.metadata.uid ? pods[0] : nil
    }
    #expect(try await cluster.job("policy")["status"]?["failed"] == nil)

    try await cluster.markFinished(third, exitCode: 5, finishedSecondsAgo: 3600)
    let failed = try await cluster.waitForJobCondition("policy", "Failed")
    let conditions = failed["status"]?["conditions"]?.arrayValue ?? []
    #expect(conditions.map { $0["type"]?.stringValue } == ["FailureTarget", "Failed"])
    #expect(conditions.last?["reason"]?.stringValue == "PodFailurePolicy")
    #expect(
      conditions.last?["message"]?.stringValue
        == "Container main for pod default/\(third.metadata.name ?? "") failed with exit code 5 matching FailJob rule at index 1"
    )
    #expect(failed["status"]?["failed"]?.intValue == 1)
  }
}
