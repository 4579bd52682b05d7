import Foundation
import KubeAPI
import KubeClient
import SkiffTestSupport
import Synchronization

// Pod startup latency on one real node (issue 6): against a running `skiff server` whose
// embedded agent has the busybox test image, creates N pods at once ("burst") or one after
// the other, each only after the previous one runs ("serial"), and measures create → Running
// as a watch observes it, with this process's clock.
//
// usage: podstartup-bench KUBECONFIG burst|serial [count=100]
//        podstartup-bench --write-image ARCHIVE   (the busybox image for the agent's drop directory)

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "--write-image" {
  try TestImage.writeOCIArchive(to: arguments[2])
  exit(0)
}
guard arguments.count >= 3, ["burst", "serial"].contains(arguments[2]) else {
  FileHandle.standardError.write(Data("usage: podstartup-bench KUBECONFIG burst|serial [count]\n".utf8))
  exit(2)
}
let mode = arguments[2]
let count = arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100
let client = KubeClient(transport: try HTTPTransport(HTTPTransport.Credentials(kubeconfig: arguments[1])))
let namespace = "startup-\(mode)"
_ = try? await client.create(
  .namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
try await Task.sleep(for: .seconds(2))  // the namespace's default ServiceAccount and root CA appear

struct Timeline {
  var created: [String: ContinuousClock.Instant] = [:]
  var running: [String: ContinuousClock.Instant] = [:]
  var waiters: [String: CheckedContinuation<Void, Never>] = [:]
}
let timeline = Mutex(Timeline())

let list = try await client.list(.pods, namespace: namespace, limit: 1)
let events = try await client.watch(
  .pods, namespace: namespace, resourceVersion: list.resourceVersion, timeoutSeconds: 3600)
let watcher = Task {
  for try await event in events where event.object["status"]?["phase"]?.stringValue == "Running" {
    let name = event.object.metadata.name ?? ""
    let now = ContinuousClock.now
    let waiter = timeline.withLock { timeline -> CheckedContinuation<Void, Never>? in
      guard timeline.running[name] == nil else { return nil }
      timeline.running[name] = now
      return timeline.waiters.removeValue(forKey: name)
    }
    waiter?.resume()
  }
}

func pod(_ index: Int) -> JSONValue {
  [
    "apiVersion": "v1", "kind": "Pod",
    "metadata": ["name": .string("pod-\(index)"), "namespace": .string(namespace)],
    "spec": [
      "terminationGracePeriodSeconds": 0,
      "containers": [["name": "main", "image": "busybox:test", "command": ["sleep", "3600"]]],
    ],
  ]
}

func create(_ index: Int) async throws {
  let name = "pod-\(index)"
  timeline.withLock { $0.created[name] = .now }
  try await client.create(.pods, namespace: namespace, pod(index))
}

func waitRunning(_ name: String) async {
  await withCheckedContinuation { continuation in
    let done = timeline.withLock { timeline -> Bool in
      if timeline.running[name] != nil { return true }
      timeline.waiters[name] = continuation
      return false
    }
    if done { continuation.resume() }
  }
}

let start = ContinuousClock.now
if mode == "burst" {
  try await withThrowingTaskGroup(of: Void.self) { group in
    for index in 0..<count { group.addTask { try await create(index) } }
    try await group.waitForAll()
  }
  for index in 0..<count { await waitRunning("pod-\(index)") }
} else {
  for index in 0..<count {
    try await create(index)
    await waitRunning("pod-\(index)")
  }
}
let allRunning = ContinuousClock.now - start
watcher.cancel()

let latencies = timeline.withLock { timeline in
  timeline.created.compactMap { name, created in timeline.running[name].map { $0 - created } }.sorted()
}
func percentile(_ p: Double) -> Double {
  let duration = latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
  return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let seconds = Double(allRunning.components.seconds) + Double(allRunning.components.attoseconds) / 1e18
print(
  String(
    format: "%@ %d pods: all Running in %.2f s; create→Running p50 %.3f s, p99 %.3f s, max %.3f s", mode, count,
    seconds, percentile(0.5), percentile(0.99), percentile(1.0)))
_ = try? await client.delete(.namespaces, name: namespace)
