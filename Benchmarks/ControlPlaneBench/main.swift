import Foundation
import KubeAPI
import KubeClient
import Synchronization

// Control-plane scale benchmark (issue 4): against a running `skiff server` with hollow
// nodes, creates D Deployments of R replicas at once and watches every pod from creation to
// binding to Running, with this process's clock. Reports scheduling throughput, time until all
// pods run, per-pod create→Running percentiles, and the server's RSS and CPU from /proc.
//
// usage: controlplane-bench KUBECONFIG SERVER_PID [deployments=30] [replicas=100]

let arguments = CommandLine.arguments
guard arguments.count >= 3, let serverPID = Int32(arguments[2]) else {
  FileHandle.standardError.write(
    Data("usage: controlplane-bench KUBECONFIG SERVER_PID [deployments] [replicas]\n".utf8))
  exit(2)
}
let deployments = arguments.count > 3 ? Int(arguments[3]) ?? 30 : 30
let replicas = arguments.count > 4 ? Int(arguments[4]) ?? 100 : 100
let total = deployments * replicas
let client = KubeClient(transport: try HTTPTransport(HTTPTransport.Credentials(kubeconfig: arguments[1])))

/// CPU seconds (user + system) and RSS/peak RSS in MiB of a process.
func processStats(_ pid: Int32) -> (cpu: Double, rss: Double, peak: Double) {
  let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
  let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
  let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
  let cpu = fields.count > 12 ? (Double(fields[11]) ?? 0) / ticks + (Double(fields[12]) ?? 0) / ticks : 0
  let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
  func kib(_ key: String) -> Double {
    let line = status.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
  }
  return (cpu, kib("VmRSS:"), kib("VmHWM:"))
}

struct Timeline {
  var created: [String: ContinuousClock.Instant] = [:]
  var bound: [String: ContinuousClock.Instant] = [:]
  var running: [String: ContinuousClock.Instant] = [:]
}

let timeline = Mutex(Timeline())
let start = ContinuousClock.now
let before = processStats(serverPID)

// Watch first, so no pod is missed.
let namespace = "bench"
_ = try? await client.create(
  .namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
let list = try await client.list(.pods, namespace: namespace, limit: 1)
let events = try await client.watch(
  .pods, namespace: namespace, resourceVersion: list.resourceVersion, timeoutSeconds: 3600)
let watcher = Task {
  for try await event in events {
    let pod = event.object
    let name = pod.metadata.name ?? ""
    let now = ContinuousClock.now
    let done = timeline.withLock { timeline -> Bool in
      if timeline.created[name] == nil { timeline.created[name] = now }
      if pod["spec"]?["nodeName"]?.stringValue != nil, timeline.bound[name] == nil { timeline.bound[name] = now }
      if pod["status"]?["phase"]?.stringValue == "Running", timeline.running[name] == nil {
        timeline.running[name] = now
      }
      return timeline.running.count >= total
    }
    if done { return }
  }
}

let createdAt = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
  for index in 0..<deployments {
    group.addTask {
      let name = "bench-\(index)"
      try await client.create(
        .deployments, namespace: namespace,
        [
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": ["name": .string(name), "namespace": .string(namespace)],
          "spec": [
            "replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
              "metadata": ["labels": ["app": .string(name)]],
              "spec": [
                "containers": [
                  [
                    "name": "app", "image": "registry.local/bench:1",
                    "resources": ["requests": ["cpu": "10m", "memory": "16Mi"]],
                  ]
                ]
              ],
            ],
          ],
        ])
    }
  }
  try await group.waitForAll()
}

let deadline = ContinuousClock.now + .seconds(600)
while ContinuousClock.now < deadline, timeline.withLock({ $0.running.count }) < total {
  try await Task.sleep(for: .milliseconds(100))
}
watcher.cancel()
let after = processStats(serverPID)
let result = timeline.withLock { $0 }

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let latencies = result.running.compactMap { name, running in result.created[name].map { seconds(running - $0) } }
  .sorted()
func percentile(_ p: Double) -> Double {
  latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
}
let firstCreated = result.created.values.min() ?? createdAt
let lastBound = result.bound.values.max() ?? createdAt
let lastRunning = result.running.values.max() ?? createdAt
let schedulingSpan = seconds(lastBound - firstCreated)
print(
  """
  pods: \(result.running.count)/\(total) Running (\(deployments) Deployments x \(replicas))
  scheduling throughput: \(String(format: "%.0f", Double(result.bound.count) / max(schedulingSpan, 0.001))) pods/s (\(result.bound.count) bound in \(String(format: "%.2f", schedulingSpan)) s after the first pod was created)
  all pods Running: \(String(format: "%.2f", seconds(lastRunning - createdAt))) s after the Deployments were submitted
  create->Running per pod: p50 \(String(format: "%.2f", percentile(0.5))) s, p99 \(String(format: "%.2f", percentile(0.99))) s, max \(String(format: "%.2f", latencies.last ?? .nan)) s
  server: RSS \(String(format: "%.0f", after.rss)) MiB (peak \(String(format: "%.0f", after.peak)) MiB), CPU \(String(format: "%.1f", after.cpu - before.cpu)) s over \(String(format: "%.1f", seconds(ContinuousClock.now - start))) s
  """)
if ProcessInfo.processInfo.environment["CONTROLPLANE_TIMELINE"] != nil {
  // Pods created, bound and Running by each second: shows which stage the others wait for.
  print("second  created  bound  running")
  let end = Int(seconds(lastRunning - firstCreated)) + 1
  for second in 0...end {
    let cutoff = firstCreated + .seconds(second)
    let counts = [result.created, result.bound, result.running].map { $0.values.filter { $0 <= cutoff }.count }
    print(String(format: "%6d  %7d  %5d  %7d", second, counts[0], counts[1], counts[2]))
  }
}
exit(result.running.count == total ? 0 : 1)
