import KubeAPI
import KubeClient
import SkiffCore
import Synchronization

/// kube-scheduler's control loop around ``Scheduler`` and ``SchedulingQueue``: informers keep
/// the scheduler's cache and queue current, one loop takes pods in priority order and decides,
/// and bindings go out concurrently while the pod is "assumed" on its node, so the next
/// decision already counts it. Unschedulable pods get the FailedScheduling event and the
/// PodScheduled=False condition, and are retried when the cluster changes.
public final class SchedulerController: Controller {
  public let name = "scheduler"
  let context: ControllerContext
  let schedulerName = "default-scheduler"
  let wakeup = AsyncSignal()
  let started = ContinuousClock.now
  /// Bindings in flight at once.
  static let maxConcurrentBindings = 16

  struct State {
    var scheduler = Scheduler()
    var queue = SchedulingQueue()
  }

  private let state = Mutex(State())

  /// Applies an informer event to the scheduler's state and wakes the loop.
  func update(_ body: (inout State, Duration) -> Void) {
    let now = self.now
    state.withLock { body(&$0, now) }
    wakeup.signal()
  }

  public init(context: ControllerContext) {
    self.context = context
  }

  var now: Duration { ContinuousClock.now - started }

  public func run() async {
    watchPods()
    watchCluster()
    await context.informers.waitForSync()
    await withTaskGroup(of: Void.self) { group in
      var inFlight = 0
      while !Task.isCancelled {
        let next = state.withLock { $0.queue.pop(now: now) }
        guard let queued = next else {
          let wait = state.withLock { $0.queue.nextWakeup(now: now) }.map { $0 - now } ?? .seconds(1)
          _ = await wakeup.wait(timeout: max(.milliseconds(1), min(wait, .seconds(1))))
          continue
        }
        if inFlight >= Self.maxConcurrentBindings {
          await group.next()
          inFlight -= 1
        }
        if let binding = await scheduleOne(queued) {
          inFlight += 1
          group.addTask { await binding() }
        }
      }
    }
  }

  /// Decides for one pod; answers the binding work to run concurrently, if any.
  private func scheduleOne(_ queued: SchedulingQueue.QueuedPod) async -> (@Sendable () async -> Void)? {
    let pod = queued.pod
    guard let current = context.informers.cache(.pods).get(ObjectCache.key(pod)), isUnscheduled(current) else {
      state.withLock { $0.queue.done(pod) }
      return nil
    }
    let result = state.withLock { state -> SchedulingResult in
      let result = state.scheduler.schedule(pod: current)
      if case .scheduled(let node, _) = result { state.scheduler.cache.assume(pod: current, node: node) }
      return result
    }
    switch result {
    case .scheduled(let node, let volumes):
      return { [self] in await bind(queued, pod: current, node: node, volumes: volumes) }
    case .unschedulable(let fitError):
      if let preemption = fitError.preemption { await preempt(current, preemption) }
      await reportFailure(current, reason: "Unschedulable", message: fitError.message)
      state.withLock { $0.queue.addUnschedulable(queued, plugins: fitError.unschedulablePlugins, now: now) }
    case .failed(let message):
      await reportFailure(current, reason: "SchedulerError", message: message)
      state.withLock { $0.queue.addUnschedulable(queued, plugins: [], now: now) }
    }
    return nil
  }

  private func bind(_ queued: SchedulingQueue.QueuedPod, pod: JSONValue, node: String, volumes: VolumeDecision) async {
    let namespace = pod.metadata.namespace ?? ""
    let name = pod.metadata.name ?? ""
    do {
      try await bindVolumes(volumes, pod: pod, node: node)
      try await context.client.create(
        .pods, namespace: namespace, name: name, subresource: "binding",
        [
          "apiVersion": "v1", "kind": "Binding",
          "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(pod.metadata.uid ?? "")],
          "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ])
      state.withLock { $0.queue.done(pod) }
      context.recorder.record(
        pod, reason: "Scheduled", message: "Successfully assigned \(namespace)/\(name) to \(node)")
    } catch {
      state.withLock { state in
        state.scheduler.cache.forget(pod: pod)
        state.queue.addUnschedulable(queued, plugins: [], now: now)
      }
      if !error.isNotFound {
        context.recorder.record(
          pod, .warning, reason: "FailedScheduling", message: "binding rejected: \(error)")
      }
      wakeup.signal()
    }
  }

  /// Pre-binds chosen PersistentVolumes and marks claims to provision on the chosen node.
  private func bindVolumes(_ volumes: VolumeDecision, pod: JSONValue, node: String) async throws {
    for binding in volumes.bindings {
      let claim = ObjectKey(binding.claim)
      let pvc = try await context.client.get(.persistentVolumeClaims, namespace: claim.namespace, name: claim.name)
      try await context.client.patch(
        .persistentVolumes, name: binding.volume,
        [
          "spec": [
            "claimRef": [
              "kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": .string(claim.namespace ?? ""),
              "name": .string(claim.name), "uid": .string(pvc.metadata.uid ?? ""),
            ]
          ]
        ])
      try await context.client.patch(
        .persistentVolumeClaims, namespace: claim.namespace, name: claim.name,
        ["spec": ["volumeName": .string(binding.volume)]])
    }
    for provision in volumes.provisions {
      let claim = ObjectKey(provision)
      try await context.client.patch(
        .persistentVolumeClaims, namespace: claim.namespace, name: claim.name,
        ["metadata": ["annotations": ["volume.kubernetes.io/selected-node": .string(node)]]])
    }
  }

  /// Evicts the victims (lower-priority pods) and nominates the node for the preemptor.
  private func preempt(_ pod: JSONValue, _ preemption: Preemption) async {
    for victim in preemption.victims {
      context.recorder.record(
        victim, reason: "Preempted",
        message: "Preempted by pod \(pod.metadata.uid ?? "") on node \(preemption.node)")
      _ = try? await context.client.delete(
        .pods, namespace: victim.metadata.namespace, name: victim.metadata.name ?? "",
        options: .init(preconditionUID: victim.metadata.uid))
    }
    state.withLock { $0.scheduler.cache.nominate(pod: pod, node: preemption.node) }
    _ = try? await context.client.patch(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
      ["status": ["nominatedNodeName": .string(preemption.node)]], subresource: "status")
  }

  private func reportFailure(_ pod: JSONValue, reason: String, message: String) async {
    context.recorder.record(pod, .warning, reason: "FailedScheduling", message: message)
    let existing = PodStatus.condition(pod, "PodScheduled")
    guard existing?["status"]?.stringValue != "False" || existing?["message"]?.stringValue != message else { return }
    let condition: JSONValue = [
      "type": "PodScheduled", "status": "False", "reason": .string(reason), "message": .string(message),
      "lastProbeTime": .null, "lastTransitionTime": .string(context.now.rfc3339),
    ]
    _ = try? await context.client.patch(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
      ["status": ["conditions": [condition]]], as: .strategic, subresource: "status")
  }

  func isUnscheduled(_ pod: JSONValue) -> Bool {
    (pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty && !pod.metadata.isBeingDeleted && !PodStatus.isTerminal(pod)
      && (pod["spec"]?["schedulerName"]?.stringValue ?? schedulerName) == schedulerName
  }
}
