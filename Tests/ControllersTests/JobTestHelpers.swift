import Controllers
import KubeAPI
import KubeClient
import SkiffCore
import Synchronization

/// A wall clock the test moves by hand, so schedules and deadlines are tested without waiting.
final class MovableClock: WallClock {
  private let now: Mutex<Int64>

  init(milliseconds: Int64) { now = Mutex(milliseconds) }

  func nowMilliseconds() -> Int64 { now.withLock { $0 } }

  func set(_ milliseconds: Int64) { now.withLock { $0 = milliseconds } }

  func advance(seconds: Int64) { now.withLock { $0 += seconds * 1000 } }
}

/// There is no kubelet in these tests: the test plays it, reporting pod status through the API.
extension TestCluster {
  /// Creates a Job running busybox with `spec` merged over a minimal one.
  @discardableResult
  func createJob(_ name: String, namespace: String = "default", _ spec: JSONValue = [:]) async throws -> JSONValue {
    var jobSpec: JSONValue = [
      "template": [
        "spec": [
          "restartPolicy": "Never",
          "containers": [["name": "main", "image": "busybox", "command": ["true"]]],
        ]
      ]
    ]
    for (key, value) in spec.objectValue ?? [:] { jobSpec[key] = value }
    return try await client.create(
      .jobs, namespace: namespace,
      ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)], "spec": jobSpec])
  }

  func job(_ name: String, namespace: String = "default") async throws -> JSONValue {
    try await client.get(.jobs, namespace: namespace, name: name)
  }

  /// The Job's pods, oldest first.
  func jobPods(_ name: String, namespace: String = "default") async throws -> [JSONValue] {
    try await client.list(.pods, namespace: namespace, labelSelector: "batch.kubernetes.io/job-name=\(name)").items
      .sorted {
        ($0.metadata.creationTimestamp ?? "", $0.metadata.name ?? "") < (
          $1.metadata.creationTimestamp ?? "", $1.metadata.name ?? ""
        )
      }
  }

  /// Pods of the Job still running (not finished, not being deleted).
  func activeJobPods(_ name: String, namespace: String = "default") async throws -> [JSONValue] {
    try await jobPods(name, namespace: namespace).filter {
      let phase = $0["status"]?["phase"]?.stringValue
      return phase != "Succeeded" && phase != "Failed" && $0.metadata.deletionTimestamp == nil
    }
  }

  /// Waits until the Job has exactly `count` active pods, and answers them.
  func waitForActivePods(_ job: String, _ count: Int, namespace: String = "default") async throws -> [JSONValue] {
    try await eventually("\(count) active pods of \(job)") {
      let pods = try await self.activeJobPods(job, namespace: namespace)
      return pods.count == count ? pods : nil
    }
  }

  /// Reports the pod Running (and Ready).
  func markRunning(_ pod: JSONValue, ready: Bool = true) async throws {
    let now = KubeTime(clock: SystemClock()).rfc3339
    try await client.patch(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
      [
        "status": [
          "phase": "Running",
          "conditions": [
            ["type": "Ready", "status": .string(ready ? "True" : "False"), "lastTransitionTime": .string(now)]
          ],
          "containerStatuses": [
            [
              "name": "main", "ready": .bool(ready), "restartCount": 0,
              "state": ["running": ["startedAt": .string(now)]],
            ]
          ],
        ]
      ], subresource: "status")
  }

  /// Reports the pod's container exited with `exitCode` (Succeeded for 0, else Failed).
  /// `finishedSecondsAgo` places the exit in the past, as a kubelet reporting late would.
  func markFinished(
    _ pod: JSONValue, exitCode: Int64 = 0, finishedSecondsAgo: Int64 = 0, conditions: [JSONValue] = []
  ) async throws {
    let finished = KubeTime(clock: SystemClock()).adding(seconds: -finishedSecondsAgo).rfc3339
    let allConditions: [JSONValue] =
      [["type": "Ready", "status": "False", "reason": "PodCompleted", "lastTransitionTime": .string(finished)]]
      + conditions
    try await client.patch(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
      [
        "status": [
          "phase": .string(exitCode == 0 ? "Succeeded" : "Failed"),
          "conditions": .array(allConditions),
          "containerStatuses": [
            [
              "name": "main", "ready": false, "restartCount": 0,
              "state": [
                "terminated": [
                  "exitCode": .int(exitCode), "reason": .string(exitCode == 0 ? "Completed" : "Error"),
                  "startedAt": .string(finished), "finishedAt": .string(finished),
                ]
              ],
            ]
          ],
        ]
      ], subresource: "status")
  }

  /// Removes a pod at once, as a kubelet does after it stopped the containers.
  func removePod(_ pod: JSONValue) async throws {
    do {
      try await client.delete(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
        options: .init(gracePeriodSeconds: 0))
    } catch  where error.isNotFound {}
  }

  /// True once the Job no longer exists (nil while it does).
  func jobGone(_ name: String, namespace: String = "default") async throws -> Bool? {
    do {
      _ = try await job(name, namespace: namespace)
      return nil
    } catch  where error.isNotFound {
      return true
    }
  }

  /// The condition of `type` once its status is `status`.
  func waitForJobCondition(
    _ job: String, _ type: String, status: String = "True", namespace: String = "default",
    timeout: Duration = .seconds(30)
  ) async throws -> JSONValue {
    try await eventually(timeout: timeout, "\(type)=\(status) on job \(job)") {
      let object = try await self.job(job, namespace: namespace)
      let condition = object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
      return condition?["status"]?.stringValue == status ? object : nil
    }
  }

  /// Events recorded about an object: each reason's messages, repeated as often as counted.
  func eventReasons(_ name: String, namespace: String = "default") async throws -> [String: [String]] {
    let events = try await client.list(.events, namespace: namespace).items
    var result: [String: [String]] = [:]
    for event in events where event["involvedObject"]?["name"]?.stringValue == name {
      let count = Int(event["count"]?.intValue ?? 1)
      result[event["reason"]?.stringValue ?? "", default: []] += Array(
        repeating: event["message"]?.stringValue ?? "", count: count)
    }
    return result
  }
}
