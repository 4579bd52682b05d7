import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite struct JobIndexedTests {
  @Test func indexedJobGivesEachPodAnIndexAndReportsCompletedIndexes() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob("idx", ["completionMode": "Indexed", "completions": 4, "parallelism": 3])
    let pods = try await cluster.waitForActivePods("idx", 3)
    var byIndex: [Int: JSONValue] = [:]
    for pod in pods {
      let index = Int(pod.metadata.annotations?["batch.kubernetes.io/job-completion-index"] ?? "") ?? -1
      byIndex[index] = pod
      #expect(pod.metadata.labels?["batch.kubernetes.io/job-completion-index"] == String(index))
      #expect(pod.metadata.generateName == "idx-\(index)-")
      #expect(pod["spec"]?["hostname"]?.stringValue == "idx-\(index)")
      let env = pod["spec"]?["containers"]?[0]?["env"]?.arrayValue ?? []
      let variable = env.first { $0["name"]?.stringValue == "JOB_COMPLETION_INDEX" }
      #expect(
        variable?["valueFrom"]?["fieldRef"]?["fieldPath"]?.stringValue
          == "metadata.labels['batch.kubernetes.io/job-completion-index']")
    }
    #expect(Set(byIndex.keys) == [0, 1, 2])
    let firstZero = byIndex[0]?.metadata.uid

    try await cluster.markFinished(byIndex[1]!)
    try await cluster.eventually("index 1 completed, index 3 started") {
      let job = try await cluster.job("idx")
      let active = try await cluster.activeJobPods("idx")
      let indexes = Set(active.compactMap { $0.metadata.annotations?["batch.kubernetes.io/job-completion-index"] })
      return job["status"]?["completedIndexes"]?.stringValue == "1" && indexes == ["0", "2", "3"] ? true : nil
    }
    // A failed index gets a new pod with the same index.
    try await cluster.markFinished(byIndex[0]!, exitCode: 3, finishedSecondsAgo: 3600)
    let again = try await cluster.eventually("index 0 recreated") {
      try await cluster.activeJobPods("idx").first {
        $0.metadata.annotations?["batch.kubernetes.io/job-completion-index"] == "0"
          && $0.metadata.uid != firstZero
      }
    }
    try await cluster.markFinished(byIndex[2]!)
    try await cluster.eventually("completedIndexes 1,2") {
      try await cluster.job("idx")["status"]?["completedIndexes"]?.stringValue == "1,2" ? true : nil
    }
    for pod in try await cluster.activeJobPods("idx") { try await cluster.markFinished(pod) }
    let done = try await cluster.waitForJobCondition("idx", "Complete")
    #expect(done["status"]?["completedIndexes"]?.stringValue == "0-3")
    #expect(done["status"]?["succeeded"]?.intValue == 4)
    #expect(done["status"]?["failed"]?.intValue == 1)
    #expect(again.metadata.generateName == "idx-0-")
  }

  @Test func backoffLimitPerIndexFailsOnlyThatIndex() async throws {
    let cluster = try await TestCluster.start { [JobController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.createJob(
      "per-index",
      ["completionMode": "Indexed", "completions": 2, "parallelism": 2, "backoffLimitPerIndex": 0])
    let pods = try await cluster.waitForActivePods("per-index", 2)
    let zero = pods.first { $0.metadata.annotations?["batch.kubernetes.io/job-completion-index"] == "0" }!
    let one = pods.first { $0.metadata.annotations?["batch.kubernetes.io/job-completion-index"] == "1" }!
    #expect(zero.metadata.annotations?["batch.kubernetes.io/job-index-failure-count"] == "0")
    try await cluster.markFinished(zero, exitCode: 1, finishedSecondsAgo: 3600)
    try await cluster.eventually("failedIndexes 0") {
      try await cluster.job("per-index")["status"]?["failedIndexes"]?.stringValue == "0" ? true : nil
    }
    try await cluster.markFinished(one)
    let failed = try await cluster.waitForJobCondition("per-index", "Failed")
    #expect(failed["status"]?["conditions"]?.arrayValue?.last?["reason"]?.stringValue == "FailedIndexes")
    #expect(failed["status"]?["completedIndexes"]?.stringValue == "1")
    #expect(try await cluster.jobPods("per-index").count == 2)
  }
}
