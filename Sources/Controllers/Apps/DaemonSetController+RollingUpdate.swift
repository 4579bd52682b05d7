import KubeAPI
import KubeClient

/// RollingUpdate as upstream: without surge, old pods are deleted only while fewer than
/// maxUnavailable nodes lack an available pod (the core loop then creates the new one); with
/// surge, a new pod starts beside an available old one (at most maxSurge at a time) and the old
/// one goes once the new one is available.
extension DaemonSetController {
  func rollingUpdate(_ set: JSONValue, nodes: [JSONValue], pods: [JSONValue], hash: String) async throws {
    var byNode = Self.podsByNode(pods)
    let counts = desiredCounts(set, nodes: nodes, byNode: &byNode)
    let now = context.now
    let minReady = Self.minReadySeconds(set)
    func available(_ pod: JSONValue) -> Bool { PodStatus.isAvailable(pod, minReadySeconds: minReady, now: now) }

    if counts.maxSurge == 0 {
      var unavailable = 0
      var replacements: [String] = []
      var candidates: [String] = []
      for (_, onNode) in byNode.sorted(by: { $0.key < $1.key }) {
        guard let pair = updatedAndOld(onNode, set: set, hash: hash) else {
          unavailable += 1
          continue
        }
        let (new, old) = pair
        switch (new, old) {
        case (nil, nil), (.some, .some):
          unavailable += 1
        case (let new?, nil):
          if !available(new) { unavailable += 1 }
        case (nil, let old?):
          if !available(old) {
            replacements.append(old.metadata.name ?? "")
          } else if unavailable < counts.maxUnavailable {
            candidates.append(old.metadata.name ?? "")
          }
        }
      }
      let room = min(max(counts.maxUnavailable - unavailable, 0), candidates.count)
      try await syncNodes(set, delete: replacements + candidates.prefix(room), createOn: [], hash: hash)
      return
    }

    let nodesByName = Dictionary(nodes.map { ($0.metadata.name ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    var toDelete: [String] = []
    var sunsetted: [String] = []
    var candidates: [String] = []
    var allowed: [String] = []
    var surging = 0
    var availableCount = 0
    for (nodeName, onNode) in byNode.sorted(by: { $0.key < $1.key }) {
      guard let pair = updatedAndOld(onNode, set: set, hash: hash) else {
        surging += 1
        continue
      }
      let (new, old) = pair
      if let old { if available(old) { availableCount += 1 } } else if let new, available(new) { availableCount += 1 }
      switch (new, old) {
      case (_, nil):
        break
      case (nil, let old?):
        let shouldRun =
          nodesByName[nodeName].map { DaemonPlacement.verdict(node: $0, daemonSet: set).shouldRun } ?? false
        if !available(old) {
          if shouldRun { allowed.append(nodeName) } else { toDelete.append(old.metadata.name ?? "") }
        } else if !shouldRun {
          sunsetted.append(old.metadata.name ?? "")
        } else if surging < counts.maxSurge {
          candidates.append(nodeName)
        }
      case (let new?, let old?):
        if available(new) { toDelete.append(old.metadata.name ?? "") } else { surging += 1 }
      }
    }
    // Old pods on nodes the set no longer fits go only while enough pods elsewhere are available.
    let deletable = min(max(availableCount - counts.desired, 0), sunsetted.count)
    toDelete += sunsetted.prefix(deletable)
    let room = min(max(counts.maxSurge - surging, 0), candidates.count)
    try await syncNodes(set, delete: toDelete, createOn: allowed + candidates.prefix(room), hash: hash)
  }

  /// How many nodes should run the set, and maxUnavailable/maxSurge scaled to that (rounded up;
  /// both zero means one may be unavailable). Nodes that should run a pod but have none are
  /// added to `byNode` with no pods, so they count as unavailable.
  func desiredCounts(_ set: JSONValue, nodes: [JSONValue], byNode: inout [String: [JSONValue]]) -> (
    desired: Int, maxUnavailable: Int, maxSurge: Int
  ) {
    var desired = 0
    for node in nodes where DaemonPlacement.verdict(node: node, daemonSet: set).shouldRun {
      desired += 1
      let name = node.metadata.name ?? ""
      if byNode[name] == nil { byNode[name] = [] }
    }
    let rolling = set["spec"]?["updateStrategy"]?["rollingUpdate"]
    let surge = IntOrPercent.scaled(rolling?["maxSurge"], total: desired, roundUp: true) ?? 0
    var unavailable =
      IntOrPercent.scaled(rolling?["maxUnavailable"] ?? (surge > 0 ? 0 : 1), total: desired, roundUp: true) ?? 1
    if desired > 0 && unavailable == 0 && surge == 0 { unavailable = 1 }
    return (desired, unavailable, surge)
  }

  /// The one updated and one old pod on a node (either may be missing), ignoring pods being
  /// deleted; nil when there are more, which the core loop cleans up first.
  func updatedAndOld(_ pods: [JSONValue], set: JSONValue, hash: String) -> (new: JSONValue?, old: JSONValue?)? {
    var new: JSONValue?
    var old: JSONValue?
    for pod in pods where !pod.metadata.isBeingDeleted {
      if Self.isUpdated(pod, hash: hash, set: set) {
        if new != nil { return nil }
        new = pod
      } else {
        if old != nil { return nil }
        old = pod
      }
    }
    return (new, old)
  }
}
