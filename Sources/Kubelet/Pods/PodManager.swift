import Foundation
import KubeAPI
import KubeClient
import Logging
import Runtime
import SkiffCore
import SkiffNetwork
import Synchronization

/// Watches the pods bound to this node and gives each its own worker; answers the kubelet
/// API's questions about them. At start it adopts what a previous agent left running, so an
/// agent restart never restarts a container.
final class PodManager: PodLocator, Sendable {
  let context: PodContext
  private let workers = Mutex<[String: PodWorker]>([:])

  init(context: PodContext) {
    self.context = context
  }

  func run() async {
    let informer = Informer(
      client: context.client, type: .pods, fieldSelector: "spec.nodeName=\(context.configuration.nodeName)",
      logger: context.logger)
    let (events, continuation) = AsyncStream.makeStream(of: InformerEvent.self)
    informer.onEvent { continuation.yield($0) }
    await withDiscardingTaskGroup { group in
      group.addTask { await informer.run() }
      group.addTask {
        await informer.waitForSync()
        self.collectOrphans(known: Set(informer.cache.list().compactMap(\.metadata.uid)))
      }
      if let network = context.network {
        group.addTask { await self.collectLeakedAddresses(network, informer: informer) }
      }
      group.addTask { await self.evictUnderPressure() }
      for await event in events {
        switch event {
        case .added(let pod), .updated(_, let pod):
          guard let uid = pod.metadata.uid else { continue }
          if let worker = workers.withLock({ $0[uid] }) {
            await worker.update(pod)
          } else if let worker = await admit(pod) {
            group.addTask {
              await worker.run()
              _ = self.workers.withLock { $0.removeValue(forKey: uid) }
            }
          }
        case .deleted(let pod):
          guard let uid = pod.metadata.uid, let worker = workers.withLock({ $0[uid] }) else { continue }
          await worker.markRemoved()
        }
        if Task.isCancelled { break }
      }
    }
  }

  /// Creates the worker for a new pod, adopting leftovers; a pod that does not fit is failed instead.
  private func admit(_ pod: JSONValue) async -> PodWorker? {
    guard let uid = pod.metadata.uid else { return nil }
    let phase = pod["status"]?["phase"]?.stringValue
    let leftovers = context.runtime.list().filter { $0.labels["io.kubernetes.pod.uid"] == uid }
    let sandbox = try? context.runtime.loadSandbox(uid)
    if (phase == "Succeeded" || phase == "Failed") && leftovers.isEmpty && sandbox == nil
      && !pod.metadata.isBeingDeleted
    {
      return nil
    }
    if phase == nil || phase == "Pending", leftovers.isEmpty, sandbox == nil, !pod.metadata.isBeingDeleted,
      let rejection = rejection(for: pod)
    {
      _ = try? await context.client.patch(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
        ["status": ["phase": "Failed", "reason": .string(rejection.reason), "message": .string(rejection.message)]],
        subresource: "status")
      context.events.record(pod, .warning, reason: rejection.reason, message: rejection.message)
      return nil
    }
    let worker = PodWorker(pod: pod, context: context)
    await worker.adopt(sandbox: sandbox?.isAlive == true ? sandbox : nil, statuses: leftovers)
    workers.withLock { $0[uid] = worker }
    return worker
  }

  /// Upstream's kubelet admission: the node selector must match and the requests must fit.
  private func rejection(for pod: JSONValue) -> (reason: String, message: String)? {
    let facts = NodeFacts.read(filesystem: context.configuration.directory)
    let labels = NodeAgent.labels(context.configuration, architecture: facts.architecture)
    for (key, value) in pod["spec"]?["nodeSelector"]?.objectValue ?? [:] where labels[key] != value.stringValue {
      return ("NodeAffinity", "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector")
    }
    let allocatableCPU = Int64(facts.cpus) * 1000 - context.configuration.reservedCPUMillis
    let allocatableMemory = facts.memoryBytes - context.configuration.reservedMemoryBytes
    func requests(_ pod: JSONValue) -> (cpu: Int64, memory: Int64) {
      var cpu: Int64 = 0
      var memory: Int64 = 0
      for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
        let request = container["resources"]?["requests"]
        cpu += request?["cpu"]?.stringValue.flatMap { try? Quantity(parsing: $0) }?.milliValue ?? 0
        memory += request?["memory"]?.stringValue.flatMap { try? Quantity(parsing: $0) }?.value ?? 0
      }
      return (cpu, memory)
    }
    let wanted = requests(pod)
    let active = workers.withLock { Array($0.keys) }.count
    if Int64(active) >= context.configuration.maxPods {
      return (
        "OutOfpods",
        "Node didn't have enough resource: pods, requested: 1, used: \(active), capacity: \(context.configuration.maxPods)"
      )
    }
    if wanted.cpu > allocatableCPU {
      return (
        "OutOfcpu", "Node didn't have enough resource: cpu, requested: \(wanted.cpu), capacity: \(allocatableCPU)"
      )
    }
    if wanted.memory > allocatableMemory {
      return (
        "OutOfmemory",
        "Node didn't have enough resource: memory, requested: \(wanted.memory), capacity: \(allocatableMemory)"
      )
    }
    return nil
  }

  /// Every 10 s: under memory or disk pressure, fails the pod upstream's ranking puts first.
  private func evictUnderPressure() async {
    let eviction = EvictionManager(
      configuration: context.configuration, runtime: context.runtime, logger: context.logger)
    while !Task.isCancelled {
      try? await Task.sleep(for: .seconds(10))
      guard let signal = eviction.pressure() else { continue }
      var candidates: [(EvictionManager.Candidate, PodWorker)] = []
      for worker in workers.withLock({ Array($0.values) }) {
        let pod = await worker.pod
        let phase = pod["status"]?["phase"]?.stringValue
        guard await worker.eviction == nil, phase != "Succeeded", phase != "Failed",
          pod.metadata.annotations?[StaticPods.mirrorAnnotation] == nil
        else { continue }
        let ids = await worker.containers.compactMapValues(\.runtimeID)
        candidates.append((eviction.candidate(pod: pod, containers: ids), worker))
      }
      guard let first = EvictionManager.rank(candidates.map(\.0)).first,
        let victim = candidates.first(where: { $0.0 == first })?.1
      else { continue }
      let message =
        "The node was low on resource: \(signal). Container usage was \(first.usage) bytes, request is \(first.request)."
      context.logger.warning(
        "evicting pod under node pressure", metadata: ["pod": "\(first.key)", "signal": "\(signal)"])
      await victim.evict(message)
    }
  }

  /// Removes sandboxes and containers of pods the API no longer has (deleted while the agent was down).
  private func collectOrphans(known: Set<String>) {
    let runtime = context.runtime
    for status in runtime.list() {
      guard let uid = status.labels["io.kubernetes.pod.uid"], !known.contains(uid) else { continue }
      context.logger.info("removing container of a pod that no longer exists", metadata: ["container": "\(status.id)"])
      try? runtime.remove(status.id, force: true)
    }
    for sandbox in runtime.listSandboxes() where !known.contains(sandbox.id) {
      try? runtime.removeSandbox(id: sandbox.id)
      context.volumes.tearDown(uid: sandbox.id)
    }
  }

  /// At start and every 5 minutes: addresses held by pods neither the API nor a worker knows
  /// (deleted while the agent was down, or a teardown that failed) go back to the pool.
  private func collectLeakedAddresses(_ network: PodNetwork, informer: Informer) async {
    await informer.waitForSync()
    guard await network.waitUntilReady() else { return }
    while !Task.isCancelled {
      // The known set is read after the allocations are listed: a pod allocating meanwhile is
      // already in the informer's cache (workers start from it).
      _ = try? await Blocking.run {
        var known: Set<String>?
        network.collectLeaks { uid in
          if known == nil {
            known = Set(informer.cache.list().compactMap(\.metadata.uid)).union(self.workers.withLock { Set($0.keys) })
          }
          return known?.contains(uid) ?? true
        }
      }
      try? await Task.sleep(for: .seconds(300))
    }
  }

  // MARK: - PodLocator

  private func worker(namespace: String, pod: String) async throws -> PodWorker {
    for worker in workers.withLock({ Array($0.values) }) {
      let object = await worker.pod
      if object.metadata.namespace == namespace && object.metadata.name == pod { return worker }
    }
    throw KubeletError(.notFound, "pod \"\(pod)\" in namespace \"\(namespace)\" is not running on this node")
  }

  func containerID(namespace: String, pod: String, container: String?, previous: Bool) async throws -> String {
    let worker = try await worker(namespace: namespace, pod: pod)
    let object = await worker.pod
    let all = (object["spec"]?["initContainers"]?.arrayValue ?? []) + (object["spec"]?["containers"]?.arrayValue ?? [])
    let names = all.compactMap { $0["name"]?.stringValue }
    guard let name = container ?? (object["spec"]?["containers"]?.arrayValue?.count == 1 ? names.last : nil) else {
      throw KubeletError(.invalidArgument, "a container name must be specified for pod \(pod), choose one of: \(names)")
    }
    guard let record = await worker.containers[name] else {
      if names.contains(name) {
        throw KubeletError(.notFound, "container \"\(name)\" in pod \"\(pod)\" is waiting to start")
      }
      throw KubeletError(.notFound, "container \(name) is not valid for pod \(pod)")
    }
    if previous {
      guard let id = record.previousID else {
        throw KubeletError(.notFound, "previous terminated container \"\(name)\" in pod \"\(pod)\" not found")
      }
      return id
    }
    guard let id = record.runtimeID else {
      throw KubeletError(.notFound, "container \"\(name)\" in pod \"\(pod)\" is waiting to start")
    }
    return id
  }

  func networkNamespace(namespace: String, pod: String) async throws -> String {
    let worker = try await worker(namespace: namespace, pod: pod)
    guard let sandbox = await worker.sandbox, sandbox.isAlive else {
      throw KubeletError(.notFound, "pod \"\(pod)\" has no running sandbox")
    }
    return sandbox.networkNamespacePath
  }

  func runningPods() async -> [RunningPod] {
    var pods: [RunningPod] = []
    for worker in workers.withLock({ Array($0.values) }) {
      let object = await worker.pod
      guard let sandbox = await worker.sandbox else { continue }
      let records = await worker.containers
      pods.append(
        RunningPod(
          namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "", uid: object.metadata.uid ?? "",
          sandboxID: sandbox.id, containers: records.compactMapValues(\.runtimeID)))
    }
    return pods
  }
}
