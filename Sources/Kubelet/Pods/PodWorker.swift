import Foundation
import Glibc
import KubeAPI
import KubeClient
import Logging
import Runtime
import SkiffCore
import SkiffNetwork

/// Everything one pod needs from the node, handed to its worker.
struct PodContext: Sendable {
  let client: KubeClient
  let runtime: ContainerRuntime
  let volumes: PodVolumes
  let events: EventRecorder
  let configuration: KubeletConfiguration
  /// Nil without a pod network: pods keep an isolated namespace with loopback only.
  let network: PodNetwork?
  let logger: Logger
}

/// The level-based worker of one pod: each `sync` compares what runs with what the pod asks for
/// and takes the next step — sandbox, volumes, init containers in order, sidecars, main
/// containers, restarts with back-off, probes, and termination in the documented order —
/// then reports status when it changed.
actor PodWorker {
  let context: PodContext
  let uid: String
  var pod: JSONValue
  /// The pod is gone from the API (deleted with grace 0, or by us).
  var removedFromAPI = false
  var sandbox: Sandbox?
  var volumePaths: [String: String] = [:]
  var lastVolumeRefresh = ContinuousClock.now - .seconds(3600)
  var containers: [String: ContainerRecord] = [:]
  var terminated = false
  var finished = false
  var lastStatus: JSONValue?
  var startTime: String?
  var setupError: (reason: String, message: String)?
  /// Set when node-pressure eviction chose this pod: it stops and ends Failed/Evicted.
  var eviction: String?
  /// The pod's own address (not hostNetwork) and whether its sandbox's namespace is wired.
  var podAddress: String?
  var networkAttached = false
  /// A finished pod's address went back to the pool (its status keeps showing it).
  var networkReleased = false
  private var wakeContinuation: AsyncStream<Void>.Continuation?

  /// What the worker remembers about one container across its instances.
  struct ContainerRecord: Sendable {
    var runtimeID: String?
    var previousID: String?
    var restartCount = 0
    /// The delay before the next restart, and the current one's (for the status message).
    var backoff: Duration = .zero
    var backoffDelay: Duration = .zero
    var backoffUntil: ContinuousClock.Instant?
    var pullBackoff: Duration = .zero
    var waiting: (reason: String, message: String)?
    var started = false
    var ready = false
    var probeTask: Task<Void, Never>?
    var killedReason: String?
  }

  init(pod: JSONValue, context: PodContext) {
    self.pod = pod
    self.uid = pod.metadata.uid ?? ""
    self.context = context
  }

  var spec: JSONValue { pod["spec"] ?? [:] }
  var key: String { "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")" }
  var initContainers: [JSONValue] { spec["initContainers"]?.arrayValue ?? [] }
  var mainContainers: [JSONValue] { spec["containers"]?.arrayValue ?? [] }
  var restartPolicy: String { spec["restartPolicy"]?.stringValue ?? "Always" }
  var podDirectory: String { context.volumes.podDirectory(uid) }
  var hostNetwork: Bool { spec["hostNetwork"]?.boolValue ?? false }
  var podIP: String { hostNetwork ? context.configuration.nodeIP : (podAddress ?? "") }

  static func isSidecar(_ container: JSONValue) -> Bool { container["restartPolicy"]?.stringValue == "Always" }

  /// Runs syncs as wake-ups arrive (coalesced) until the pod is finished; a slow tick refreshes volumes.
  func run() async {
    let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    wakeContinuation = continuation
    continuation.yield()
    let ticker = Task { [weak self] in
      while !Task.isCancelled {
        try? await Task.sleep(for: .seconds(10))
        await self?.wake()
      }
    }
    defer { ticker.cancel() }
    for await _ in stream {
      await sync()
      if finished { break }
    }
  }

  func wake() { wakeContinuation?.yield() }

  func wake(after delay: Duration) {
    Task { [weak self] in
      try? await Task.sleep(for: delay)
      await self?.wake()
    }
  }

  func update(_ pod: JSONValue) {
    guard pod.metadata.uid == uid else { return }
    self.pod = pod
    wake()
  }

  func evict(_ message: String) {
    guard eviction == nil else { return }
    eviction = message
    context.events.record(pod, .warning, reason: "Evicted", message: message)
    wake()
  }

  func markRemoved() {
    removedFromAPI = true
    wake()
  }

  /// Adopts the sandbox and containers a previous agent left running for this pod.
  func adopt(sandbox: Sandbox?, statuses: [ContainerStatus]) {
    self.sandbox = sandbox
    if sandbox != nil { startTime = startTime ?? KubeTime(clock: SystemClock()).rfc3339 }
    var byName: [String: [(Int, ContainerStatus)]] = [:]
    for status in statuses {
      guard let name = status.labels["io.kubernetes.container.name"], let attempt = Self.attempt(status.id) else {
        continue
      }
      byName[name, default: []].append((attempt, status))
    }
    for (name, instances) in byName {
      let sorted = instances.sorted { $0.0 < $1.0 }
      var record = ContainerRecord()
      record.runtimeID = sorted.last?.1.id
      record.previousID = sorted.dropLast().last?.1.id
      record.restartCount = sorted.last?.0 ?? 0
      containers[name] = record
      guard let current = sorted.last?.1 else { continue }
      watchExit(current.id)
      // A running container resumes its probes; until they pass it counts as not ready.
      if current.state == .running,
        let container = (initContainers + mainContainers).first(where: { $0["name"]?.stringValue == name })
      {
        containers[name]?.started = container["startupProbe"] == nil
        startProbes(container, id: current.id)
      }
    }
  }

  static func attempt(_ id: String) -> Int? { id.split(separator: "-").last.flatMap { Int($0) } }

  func containerID(name: String, attempt: Int) -> String { "\(uid)-\(name)-\(attempt)" }

  // MARK: - Sync

  func sync() async {
    if removedFromAPI || pod.metadata.isBeingDeleted {
      await terminateAndRemove()
      return
    }
    let reported = pod["status"]?["phase"]?.stringValue
    if reported == "Succeeded" || reported == "Failed" || eviction != nil {
      await stopAll(grace: 0, reason: nil)
      if reported == "Succeeded" || reported == "Failed" { await releasePodNetwork() }
      await report()
      return
    }
    do {
      try await ensureSandbox()
      try await ensureVolumes()
      setupError = nil
    } catch {
      let message = "\(error)"
      if setupError?.message != message {
        let reason = error is NetworkError ? "FailedCreatePodSandBox" : "FailedMount"
        context.events.record(
          pod, .warning, reason: (error as? KubeletError)?.code == .unavailable ? "NetworkNotReady" : reason,
          message: message)
      }
      setupError = ("ContainerCreating", message)
      await report()
      wake(after: .seconds(5))
      return
    }
    if await runInitContainers() {
      await runMainContainers()
    }
    let phase = podPhase()
    if phase == "Succeeded" || phase == "Failed" {
      await stopSidecars(grace: spec["terminationGracePeriodSeconds"]?.intValue ?? 30)
    }
    await report()
  }

  /// Init containers in order; answers true when the main containers may run. Sidecars start
  /// in their place in the order and keep running.
  private func runInitContainers() async -> Bool {
    for container in initContainers {
      let name = container["name"]?.stringValue ?? ""
      let status = currentStatus(name)
      if Self.isSidecar(container) {
        if status?.state != .running {
          if !(await startIfDue(container, after: status)) { return false }
        }
        // A sidecar with a startup probe holds the next ones until it has started.
        if container["startupProbe"] != nil && !(containers[name]?.started ?? false) { return false }
        continue
      }
      switch status?.state {
      case .running, .created: return false
      case .exited where status?.exitCode == 0: continue
      case .exited, .unknown:
        if restartPolicy == "Never" { return false }
        _ = await startIfDue(container, after: status)
        return false
      case nil:
        _ = await startIfDue(container, after: nil)
        return false
      }
    }
    return true
  }

  private func runMainContainers() async {
    for container in mainContainers {
      let name = container["name"]?.stringValue ?? ""
      let status = currentStatus(name)
      switch status?.state {
      case .running, .created: continue
      case nil: _ = await startIfDue(container, after: nil)
      case .exited, .unknown:
        let failed = status?.exitCode != 0
        if restartPolicy == "Always" || (restartPolicy == "OnFailure" && failed) {
          _ = await startIfDue(container, after: status)
        }
      }
    }
  }

  func currentStatus(_ name: String) -> ContainerStatus? {
    containers[name]?.runtimeID.flatMap { try? context.runtime.status($0) }
  }

  /// Starts the container now, or once its back-off has passed; answers whether it runs.
  private func startIfDue(_ container: JSONValue, after previous: ContainerStatus?) async -> Bool {
    let name = container["name"]?.stringValue ?? ""
    var record = containers[name] ?? ContainerRecord()
    if let previous {
      if record.backoffUntil == nil {
        // The first restart is immediate; then 10 s doubling to 5 min, reset after 10 min of running well.
        let ranLong =
          previous.startedAt.flatMap { started in previous.finishedAt.map { $0.timeIntervalSince(started) > 600 } }
          ?? false
        if ranLong { record.backoff = .zero }
        record.backoffUntil = .now + record.backoff
        record.backoffDelay = record.backoff
        record.backoff = record.backoff == .zero ? .seconds(10) : min(record.backoff * 2, .seconds(300))
      }
      if let until = record.backoffUntil, ContinuousClock.now < until {
        let message =
          "back-off \(Self.seconds(record.backoffDelay)) restarting failed container=\(name) pod=\(pod.metadata.name ?? "")_\(pod.metadata.namespace ?? "")(\(uid))"
        if record.waiting?.reason != "CrashLoopBackOff" {
          context.events.record(
            pod, .warning, reason: "BackOff",
            message:
              "Back-off restarting failed container \(name) in pod \(pod.metadata.name ?? "")_\(pod.metadata.namespace ?? "")(\(uid))"
          )
        }
        record.waiting = ("CrashLoopBackOff", message)
        containers[name] = record
        wake(after: until - .now)
        return false
      }
      record.backoffUntil = nil
    }
    containers[name] = record
    do {
      try await start(container, replacing: previous)
      return true
    } catch {
      var (reason, message) = Self.waitingReason(for: error)
      var record = containers[name] ?? ContainerRecord()
      var retry = Duration.seconds(10)
      if reason == "ErrImagePull" {
        // Pull failures back off like crashes (10 s doubling to 5 min), shown as ImagePullBackOff.
        if ["ErrImagePull", "ImagePullBackOff"].contains(record.waiting?.reason ?? "") {
          let image = container["image"]?.stringValue ?? ""
          (reason, message) = ("ImagePullBackOff", "Back-off pulling image \"\(image)\": \(message)")
          context.events.record(pod, reason: "BackOff", message: "Back-off pulling image \"\(image)\"")
        }
        record.pullBackoff = record.pullBackoff == .zero ? .seconds(10) : min(record.pullBackoff * 2, .seconds(300))
        retry = record.pullBackoff
      } else if record.waiting?.message != message && !(error is ImagePullFailure) {
        context.events.record(pod, .warning, reason: "Failed", message: "Error: \(message)")
      }
      record.waiting = (reason, message)
      containers[name] = record
      wake(after: retry)
      return false
    }
  }

  static func seconds(_ duration: Duration) -> String {
    let total = Int(duration.components.seconds)
    return total >= 60 ? "\(total / 60)m\(total % 60)s" : "\(total)s"
  }

  static func waitingReason(for error: any Error) -> (String, String) {
    if let failure = error as? ImagePullFailure { return (failure.reason, failure.message) }
    if let error = error as? KubeletError {
      switch error.code {
      case .notFound, .failedPrecondition, .invalidArgument: return ("CreateContainerConfigError", error.message)
      default: return ("CreateContainerError", error.message)
      }
    }
    return ("CreateContainerError", "\(error)")
  }
}
