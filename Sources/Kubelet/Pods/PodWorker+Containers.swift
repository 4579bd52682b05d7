import Foundation
import Glibc
import KubeAPI
import KubeClient
import Runtime
import SkiffCore

extension PodWorker {
  func ensureSandbox() async throws {
    if let sandbox, sandbox.isAlive {
      try await ensurePodNetwork(sandbox)
      return
    }
    if let existing = try? context.runtime.loadSandbox(uid) {
      if existing.isAlive {
        sandbox = existing
        try await ensurePodNetwork(existing)
        return
      }
      // The pause process died (a reboot): every container goes with it.
      for id in containers.values.compactMap(\.runtimeID) { try? context.runtime.remove(id, force: true) }
      containers = [:]
      try? context.runtime.removeSandbox(id: uid)
    }
    let hostname = ContainerConfig(
      pod: pod, container: [:], volumes: [:], podDirectory: "", seccompDirectory: "", nodeMemoryBytes: 0
    ).hostname
    let files = PodFiles(pod: pod, configuration: context.configuration)
    try await reservePodAddress()
    networkAttached = false
    let (directory, ip) = (podDirectory, podIP)
    // The pod's cgroup bounds all its containers; sidecars count, run-to-completion init containers do not.
    let podCgroup = ContainerConfig.podCgroup(pod)
    let resources = ContainerConfig.resources(mainContainers + initContainers.filter(Self.isSidecar))
    let options = SandboxOptions(
      hostname: hostname, sharePID: spec["shareProcessNamespace"]?.boolValue ?? false, hostNetwork: hostNetwork,
      cgroupParent: podCgroup)
    let (runtime, id) = (context.runtime, uid)
    sandbox = try await Blocking.run {
      try files.write(to: directory, podIP: ip, hostname: hostname)
      try runtime.cgroups.create(podCgroup, resources: resources, allowAllDevices: true)
      return try runtime.createSandbox(id: id, options: options)
    }
    startTime = startTime ?? KubeTime(clock: SystemClock()).rfc3339
    if let sandbox { try await ensurePodNetwork(sandbox) }
  }

  func ensureVolumes() async throws {
    guard volumePaths.isEmpty || ContinuousClock.now - lastVolumeRefresh >= .seconds(10) else { return }
    volumePaths = try await context.volumes.setUp(pod)
    lastVolumeRefresh = .now
  }

  /// Creates and starts a new instance of `container`, then its postStart hook and probes.
  func start(_ container: JSONValue, replacing previous: ContainerStatus?) async throws {
    let name = container["name"]?.stringValue ?? ""
    var record = containers[name] ?? ContainerRecord()
    let resolved = try await ImagePuller(client: context.client, images: context.runtime.images, events: context.events)
      .ensure(container, pod: pod)
    let attempt = previous == nil && record.runtimeID == nil ? 0 : record.restartCount + 1
    let id = containerID(name: name, attempt: attempt)
    try? context.runtime.remove(id, force: true)
    let config = ContainerConfig(
      pod: pod, container: container, volumes: volumePaths, podDirectory: podDirectory,
      seccompDirectory: context.configuration.seccompDirectory,
      nodeMemoryBytes: NodeFacts.meminfo()["MemTotal"] ?? 0)
    try FileManager.default.createDirectory(
      atPath: "\(podDirectory)/containers/\(name)", withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: config.terminationLogPath, contents: nil)
    let env = try await PodEnvironment(client: context.client).resolve(
      container, pod: pod, hostIP: context.configuration.nodeIP, podIP: podIP)
    let logPath = "\(podDirectory)/logs/\(name)/\(attempt).log"
    try FileManager.default.createDirectory(atPath: "\(podDirectory)/logs/\(name)", withIntermediateDirectories: true)
    let containerSpec = try config.spec(id: id, sandboxID: uid, env: env, image: resolved, logPath: logPath)
    let runtime = context.runtime
    try await Blocking.run { try runtime.create(containerSpec) }
    context.events.record(pod, reason: "Created", message: "Created container \(name)")
    try await Blocking.run { try runtime.start(id) }
    context.events.record(pod, reason: "Started", message: "Started container \(name)")
    // Keep one previous instance for `kubectl logs --previous`; older ones go.
    if let old = record.previousID { _ = try? await Blocking.run { try runtime.remove(old, force: true) } }
    record.previousID = record.runtimeID
    record.runtimeID = id
    record.restartCount = attempt
    record.waiting = nil
    record.pullBackoff = .zero
    record.killedReason = nil
    record.started = container["startupProbe"] == nil
    record.ready = false
    record.probeTask?.cancel()
    containers[name] = record
    watchExit(id)
    if let hook = container["lifecycle"]?["postStart"] {
      let result = await ProbeRunner(runtime: context.runtime, scratchDirectory: podDirectory).run(
        hook, target: target(container, id: id), timeout: 30)
      if case .failure(let message) = result {
        context.events.record(pod, .warning, reason: "FailedPostStartHook", message: message)
        try? context.runtime.kill(id, signal: SIGKILL)
        return
      }
    }
    startProbes(container, id: id)
  }

  func target(_ container: JSONValue, id: String) -> ProbeRunner.Target {
    ProbeRunner.Target(
      containerID: id, container: container, podIP: podIP,
      networkNamespace: hostNetwork ? nil : sandbox?.networkNamespacePath)
  }

  /// Wakes the worker when this container instance exits.
  func watchExit(_ id: String) {
    let runtime = context.runtime
    Task { [weak self] in
      _ = try? await runtime.wait(id)
      await self?.containerExited(id)
    }
  }

  private func containerExited(_ id: String) {
    for (name, record) in containers where record.runtimeID == id {
      containers[name]?.probeTask?.cancel()
      containers[name]?.ready = false
    }
    wake()
  }

  // MARK: - Probes

  func startProbes(_ container: JSONValue, id: String) {
    let name = container["name"]?.stringValue ?? ""
    let startup = container["startupProbe"]
    let liveness = container["livenessProbe"]
    let readiness = container["readinessProbe"]
    guard startup != nil || liveness != nil || readiness != nil else {
      containers[name]?.ready = true
      return
    }
    let runner = ProbeRunner(runtime: context.runtime, scratchDirectory: podDirectory)
    let target = target(container, id: id)
    let worker = self
    let task = Task {
      if let startup {
        guard await Self.probeLoop(startup, runner: runner, target: target, until: .success) else {
          await worker.probeFailed(name, id: id, kind: "Startup")
          return
        }
        await worker.markStarted(name, id: id)
      }
      await withTaskGroup(of: Void.self) { group in
        if let liveness {
          group.addTask {
            if !(await Self.probeLoop(liveness, runner: runner, target: target, until: nil)) {
              await worker.probeFailed(name, id: id, kind: "Liveness")
            }
          }
        }
        if let readiness {
          group.addTask {
            await Self.readinessLoop(readiness, runner: runner, target: target) { ready, message in
              await worker.setReady(name, id: id, ready: ready, message: message)
            }
          }
        } else {
          await worker.setReady(name, id: id, ready: true, message: nil)
        }
      }
    }
    containers[name]?.probeTask = task
  }

  struct ProbeTiming {
    var initialDelay: Double
    var period: Double
    var timeout: Double
    var successThreshold: Int
    var failureThreshold: Int

    init(_ probe: JSONValue) {
      initialDelay = Double(probe["initialDelaySeconds"]?.intValue ?? 0)
      period = Double(max(1, probe["periodSeconds"]?.intValue ?? 10))
      timeout = Double(max(1, probe["timeoutSeconds"]?.intValue ?? 1))
      successThreshold = Int(max(1, probe["successThreshold"]?.intValue ?? 1))
      failureThreshold = Int(max(1, probe["failureThreshold"]?.intValue ?? 3))
    }
  }

  /// Probes until `failureThreshold` consecutive failures (answers false) or, with `until`, the
  /// first success (answers true); cancelled with the container.
  static func probeLoop(_ probe: JSONValue, runner: ProbeRunner, target: ProbeRunner.Target, until: ProbeRunner.Result?)
    async -> Bool
  {
    let timing = ProbeTiming(probe)
    try? await Task.sleep(for: .seconds(timing.initialDelay))
    var failures = 0
    while !Task.isCancelled {
      let result = await runner.run(probe, target: target, timeout: timing.timeout)
      if Task.isCancelled { return true }
      if result == .success {
        failures = 0
        if until == .success { return true }
      } else {
        failures += 1
        if failures >= timing.failureThreshold { return false }
      }
      try? await Task.sleep(for: .seconds(timing.period))
    }
    return true
  }

  static func readinessLoop(
    _ probe: JSONValue, runner: ProbeRunner, target: ProbeRunner.Target,
    report: @Sendable (Bool, String?) async -> Void
  ) async {
    let timing = ProbeTiming(probe)
    try? await Task.sleep(for: .seconds(timing.initialDelay))
    var successes = 0
    var failures = 0
    var ready = false
    while !Task.isCancelled {
      let result = await runner.run(probe, target: target, timeout: timing.timeout)
      if Task.isCancelled { return }
      switch result {
      case .success:
        successes += 1
        failures = 0
        if !ready && successes >= timing.successThreshold {
          ready = true
          await report(true, nil)
        }
      case .failure(let message):
        failures += 1
        successes = 0
        if failures >= timing.failureThreshold || !ready {
          if ready || failures == 1 { await report(false, message) }
          ready = false
        }
      }
      try? await Task.sleep(for: .seconds(timing.period))
    }
  }

  private func markStarted(_ name: String, id: String) {
    guard containers[name]?.runtimeID == id else { return }
    containers[name]?.started = true
    wake()
  }

  private func setReady(_ name: String, id: String, ready: Bool, message: String?) {
    guard containers[name]?.runtimeID == id else { return }
    if let message, !ready {
      context.events.record(pod, .warning, reason: "Unhealthy", message: "Readiness probe failed: \(message)")
    }
    if containers[name]?.ready != ready {
      containers[name]?.ready = ready
      wake()
    }
  }

  private func probeFailed(_ name: String, id: String, kind: String) async {
    guard containers[name]?.runtimeID == id else { return }
    context.events.record(pod, .warning, reason: "Unhealthy", message: "\(kind) probe failed")
    context.events.record(
      pod, reason: "Killing", message: "Container \(name) failed \(kind.lowercased()) probe, will be restarted")
    containers[name]?.killedReason = "\(kind)ProbeFailure"
    let container = (initContainers + mainContainers).first { $0["name"]?.stringValue == name } ?? [:]
    await stop(container, id: id, grace: spec["terminationGracePeriodSeconds"]?.intValue ?? 30)
    wake()
  }

  // MARK: - Stopping

  /// preStop, then the stop signal, then SIGKILL when the grace period ends.
  func stop(_ container: JSONValue, id: String, grace: Int64) async {
    guard let status = try? context.runtime.status(id), status.state == .running || status.state == .created else {
      return
    }
    let deadline = ContinuousClock.now + .seconds(grace)
    if let hook = container["lifecycle"]?["preStop"], grace > 0 {
      let runner = ProbeRunner(runtime: context.runtime, scratchDirectory: podDirectory)
      let result = await runner.run(hook, target: target(container, id: id), timeout: Double(grace))
      if case .failure(let message) = result {
        context.events.record(pod, .warning, reason: "FailedPreStopHook", message: message)
      }
    }
    let remaining = max(Duration.seconds(grace > 0 ? 2 : 0), deadline - .now)
    _ = try? await context.runtime.stop(id, grace: grace > 0 ? remaining : .zero)
  }

  func stopAll(grace: Int64, reason: String?) async {
    let running = mainContainers.filter { currentStatus($0["name"]?.stringValue ?? "")?.state == .running }
    if let reason, !running.isEmpty {
      for container in running {
        context.events.record(
          pod, reason: "Killing", message: "Stopping container \(container["name"]?.stringValue ?? "")")
      }
      _ = reason
    }
    await withTaskGroup(of: Void.self) { group in
      for container in mainContainers + initContainers.filter({ !Self.isSidecar($0) }) {
        guard let id = containers[container["name"]?.stringValue ?? ""]?.runtimeID else { continue }
        containers[container["name"]?.stringValue ?? ""]?.probeTask?.cancel()
        group.addTask { await self.stop(container, id: id, grace: grace) }
      }
    }
    await stopSidecars(grace: grace)
  }

  /// Sidecars stop after the main containers, in reverse order.
  func stopSidecars(grace: Int64) async {
    for container in initContainers.filter(Self.isSidecar).reversed() {
      let name = container["name"]?.stringValue ?? ""
      guard let id = containers[name]?.runtimeID else { continue }
      containers[name]?.probeTask?.cancel()
      if currentStatus(name)?.state == .running {
        context.events.record(pod, reason: "Killing", message: "Stopping container \(name)")
      }
      await stop(container, id: id, grace: grace)
    }
  }

  /// The pod is being deleted: stop in order, report, clean up, then let the API forget it.
  func terminateAndRemove() async {
    if !terminated {
      let grace = removedFromAPI ? 0 : (pod.metadata.deletionGracePeriodSeconds ?? 30)
      await stopAll(grace: grace, reason: "deleted")
      terminated = true
      if !removedFromAPI { await report() }
    }
    for record in containers.values { record.probeTask?.cancel() }
    let ids = containers.values.flatMap { [$0.runtimeID, $0.previousID].compactMap { $0 } }
    let (runtime, volumes, id, podCgroup) = (context.runtime, context.volumes, uid, ContainerConfig.podCgroup(pod))
    let network = hostNetwork ? nil : context.network
    _ = try? await Blocking.run {
      for container in ids { try? runtime.remove(container, force: true) }
      try? runtime.removeSandbox(id: id)
      try? network?.detach(podUID: id)
      try? runtime.cgroups.destroy(podCgroup)
      volumes.tearDown(uid: id)
    }
    if !removedFromAPI {
      do {
        var options = KubeClient.DeleteOptions(gracePeriodSeconds: 0)
        options.preconditionUID = uid
        try await context.client.delete(
          .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", options: options)
      } catch  where !error.isNotFound && !error.isConflict {
        context.logger.warning("cannot finish deleting pod", metadata: ["pod": "\(key)", "error": "\(error)"])
        wake(after: .seconds(2))
        return
      } catch {}
    }
    finished = true
  }
}
