import KubeAPI
import KubeClient

/// Evicts pods from nodes with NoExecute taints they do not tolerate: at once when a taint is
/// not tolerated at all, after the smallest matching `tolerationSeconds` (counted from the
/// taint's timeAdded) otherwise. Pods admitted with the default tolerations leave a not-ready
/// or unreachable node after 300 s.
public struct TaintEvictionController: Controller {
  public let name = "taint-eviction-controller"
  let context: ControllerContext
  let queue = WorkQueue()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let nodes = context.informers.informer(.nodes)
    let pods = context.informers.informer(.pods)
    pods.cache.addIndex(NodeLifecycleController.nodeIndex, NodeLifecycleController.byNode)
    nodes.onEvent { [queue, context] event in
      if case .deleted = event { return }
      let node = event.object.metadata.name ?? ""
      for pod in context.informers.cache(.pods).byIndex(NodeLifecycleController.nodeIndex, node) {
        queue.add(ObjectCache.key(pod))
      }
    }
    pods.onEvent { [queue] event in
      if case .deleted = event { return }
      if event.object["spec"]?["nodeName"]?.stringValue != nil { queue.add(ObjectCache.key(event.object)) }
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ key: String) async throws {
    guard let pod = context.informers.cache(.pods).get(key), !pod.metadata.isBeingDeleted,
      let nodeName = pod["spec"]?["nodeName"]?.stringValue,
      let node = context.informers.cache(.nodes).get(nodeName)
    else { return }
    let taints = (node["spec"]?["taints"]?.arrayValue ?? []).filter { $0["effect"]?.stringValue == "NoExecute" }
    guard !taints.isEmpty else { return }
    let tolerations = pod["spec"]?["tolerations"]?.arrayValue ?? []
    let now = context.now
    var evictAt: KubeTime?
    for taint in taints {
      let matching = tolerations.filter { Self.tolerates($0, taint) }
      if matching.isEmpty {
        evictAt = now
        break
      }
      let limits = matching.compactMap { $0["tolerationSeconds"]?.intValue }
      guard matching.allSatisfy({ $0["tolerationSeconds"] != nil }), let seconds = limits.min() else { continue }
      let added = taint["timeAdded"]?.stringValue.flatMap { try? KubeTime(parsing: $0) } ?? now
      let at = added.adding(seconds: max(0, seconds))
      evictAt = min(evictAt ?? at, at)
    }
    guard let evictAt else { return }
    if evictAt > now {
      queue.add(key, after: .milliseconds(evictAt.milliseconds - now.milliseconds))
      return
    }
    context.recorder.record(
      pod, reason: "TaintManagerEviction",
      message: "Marking for deletion Pod \(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")")
    do {
      try await context.client.delete(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
        options: .init(preconditionUID: pod.metadata.uid))
    } catch  where error.isNotFound || error.isConflict {}
  }

  /// Upstream's Toleration.ToleratesTaint.
  static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
    let effect = toleration["effect"]?.stringValue ?? ""
    if !effect.isEmpty, effect != taint["effect"]?.stringValue { return false }
    let key = toleration["key"]?.stringValue ?? ""
    if !key.isEmpty, key != taint["key"]?.stringValue { return false }
    switch toleration["operator"]?.stringValue ?? "Equal" {
    case "Exists": return true
    case "Equal", "": return (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
    default: return false
    }
  }
}
