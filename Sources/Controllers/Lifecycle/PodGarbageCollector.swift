import KubeAPI
import KubeClient

/// Deletes pods nothing else will: pods bound to nodes that no longer exist, and the oldest
/// terminated pods once more than the threshold (12,500 by default) have piled up.
public struct PodGarbageCollector: Controller {
  public let name = "pod-garbage-collector"
  let context: ControllerContext
  static let period = Duration.seconds(20)

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    _ = context.informers.informer(.pods)
    _ = context.informers.informer(.nodes)
    await context.informers.waitForSync()
    while !Task.isCancelled {
      await collect()
      try? await Task.sleep(for: Self.period)
    }
  }

  func collect() async {
    let pods = context.informers.cache(.pods).list()
    let nodes = Set(context.informers.cache(.nodes).list().compactMap(\.metadata.name))
    for pod in pods {
      guard let node = pod["spec"]?["nodeName"]?.stringValue, !node.isEmpty, !nodes.contains(node) else { continue }
      // The cache may lag a node just registered: confirm before force-deleting.
      if (try? await context.client.get(.nodes, name: node)) != nil { continue }
      await forceDelete(pod, reason: "orphaned pod on deleted node \(node)")
    }
    let terminated = pods.filter(PodStatus.isTerminal).filter { !$0.metadata.isBeingDeleted }
    let excess = terminated.count - context.settings.terminatedPodThreshold
    guard excess > 0 else { return }
    let oldest = terminated.sorted { ($0.metadata.creationTimestamp ?? "") < ($1.metadata.creationTimestamp ?? "") }
    for pod in oldest.prefix(excess) { await forceDelete(pod, reason: "terminated pods above the threshold") }
  }

  private func forceDelete(_ pod: JSONValue, reason: String) async {
    context.logger.info(
      "pod garbage collection", metadata: ["pod": "\(ObjectCache.key(pod))", "reason": "\(reason)"])
    _ = try? await context.client.delete(
      .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
      options: .init(gracePeriodSeconds: 0, preconditionUID: pod.metadata.uid))
  }
}
