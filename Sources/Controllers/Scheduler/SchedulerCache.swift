import KubeAPI

/// The scheduler's view of the cluster, fed incrementally from informers (upstream's cache plus
/// snapshot in one): nodes with per-node totals of their assigned pods, assumed pods between a
/// decision and the bind confirmation, and the storage and namespace objects plugins read.
///
/// A value type: keep one in the scheduling task (or an actor) and mutate it there.
public struct SchedulerCache: Sendable {
  var nodes: [SchedulerNode] = []
  var nodeIndex: [String: Int] = [:]
  /// Pod identity (UID, or namespace/name without one) → node name.
  var podNodes: [String: String] = [:]
  var assumedPods: Set<String> = []
  /// Image name → number of nodes that have it (ImageLocality's spread factor).
  var imageNodeCounts: [String: Int] = [:]
  var podsWithAffinity = 0
  var podsWithRequiredAntiAffinity = 0
  /// Number of entries in `nodes` with a node object (the rest only hold pods).
  private(set) var nodeCount = 0

  var namespaceLabels: [String: [String: String]] = [:]
  var claims: [String: JSONValue] = [:]
  var volumes: [String: JSONValue] = [:]
  var storageClasses: [String: JSONValue] = [:]
  /// Selectors of Services per namespace and of ReplicaSets/StatefulSets/ReplicationControllers by
  /// `Kind/namespace/name`, for the default pod topology spread.
  var serviceSelectors: [String: [String: [String: String]]] = [:]
  var controllerSelectors: [String: LabelSelector] = [:]
  /// PodDisruptionBudgets by namespace/name: preemption spares the pods they protect first.
  var disruptionBudgets: [String: DisruptionBudget] = [:]
  /// Pods a preemption nominated to a node but not yet bound, by node name then pod identity.
  var nominatedPods: [String: [String: SchedulerPod]] = [:]
  var nominatedNodes: [String: String] = [:]

  public init() {}

  // MARK: - Nodes

  /// Adds or replaces a node (an update is the same operation).
  public mutating func addNode(_ node: JSONValue) {
    guard let name = node.metadata.name else { return }
    let index = slot(for: name)
    if nodes[index].node == nil { nodeCount += 1 }
    countImages(of: nodes[index], sign: -1)
    nodes[index].setNode(node)
    countImages(of: nodes[index], sign: 1)
  }

  public mutating func updateNode(_ node: JSONValue) { addNode(node) }

  /// Removes a node; pods still assigned to it stay counted until they are removed themselves.
  public mutating func removeNode(_ node: JSONValue) {
    guard let name = node.metadata.name else { return }
    removeNode(named: name)
  }

  public mutating func removeNode(named name: String) {
    guard let index = nodeIndex[name], nodes[index].node != nil else { return }
    countImages(of: nodes[index], sign: -1)
    nodes[index].setNode(nil)
    nodeCount -= 1
    dropIfEmpty(index)
  }

  /// Names of the nodes known with a node object, in the order the scheduler walks them.
  public var nodeNames: [String] { nodes.compactMap { $0.node == nil ? nil : $0.name } }

  /// Requests of the pods counted on a node (assumed ones included), nil for an unknown node.
  public func requested(onNode name: String) -> SchedulerResources? {
    nodeIndex[name].map { nodes[$0].requested }
  }

  /// Allocatable of a node as the scheduler reads it, nil for an unknown node.
  public func allocatable(ofNode name: String) -> SchedulerResources? {
    nodeIndex[name].flatMap { nodes[$0].node == nil ? nil : nodes[$0].allocatable }
  }

  /// Number of pods counted on a node (assumed ones included).
  public func podCount(onNode name: String) -> Int { nodeIndex[name].map { nodes[$0].pods.count } ?? 0 }

  // MARK: - Pods

  /// Adds or replaces an assigned pod. Pods without `spec.nodeName` are ignored (an assumed pod
  /// stays assumed until its bound version arrives); finished pods (Succeeded/Failed) free their
  /// resources, terminating ones keep them. Confirms an assumed pod.
  public mutating func addPod(_ pod: JSONValue) {
    let parsed = SchedulerPod(pod)
    guard !parsed.nodeName.isEmpty else { return }
    let phase = pod["status"]?["phase"]?.stringValue
    removePod(identity: parsed.identity)
    guard phase != "Succeeded", phase != "Failed" else { return }
    insert(parsed)
  }

  public mutating func updatePod(_ pod: JSONValue) { addPod(pod) }

  public mutating func removePod(_ pod: JSONValue) { removePod(identity: SchedulerPod(pod).identity) }

  /// Counts `pod` on `node` before the API server confirms the binding.
  public mutating func assume(pod: JSONValue, node: String) {
    var bound = pod
    bound.setValue(.string(node), atPath: ["spec", "nodeName"])
    let parsed = SchedulerPod(bound)
    removePod(identity: parsed.identity)
    insert(parsed)
    assumedPods.insert(parsed.identity)
  }

  /// Drops an assumed pod whose binding failed; a confirmed pod is left alone.
  public mutating func forget(pod: JSONValue) {
    let identity = SchedulerPod(pod).identity
    guard assumedPods.contains(identity) else { return }
    removePod(identity: identity)
  }

  public func isAssumed(pod: JSONValue) -> Bool { assumedPods.contains(SchedulerPod(pod).identity) }

  /// The node a pod is counted on (assumed or confirmed), if any.
  public func nodeName(ofPod pod: JSONValue) -> String? { podNodes[SchedulerPod(pod).identity] }

  public var podCount: Int { podNodes.count }

  private mutating func insert(_ pod: SchedulerPod) {
    clearNomination(identity: pod.identity)
    let index = slot(for: pod.nodeName)
    nodes[index].addPod(pod)
    podNodes[pod.identity] = pod.nodeName
    if pod.hasAffinityTerms { podsWithAffinity += 1 }
    if !pod.requiredAntiAffinity.isEmpty { podsWithRequiredAntiAffinity += 1 }
  }

  private mutating func removePod(identity: String) {
    assumedPods.remove(identity)
    guard let nodeName = podNodes.removeValue(forKey: identity), let index = nodeIndex[nodeName] else { return }
    if let pod = nodes[index].removePod(identity: identity) {
      if pod.hasAffinityTerms { podsWithAffinity -= 1 }
      if !pod.requiredAntiAffinity.isEmpty { podsWithRequiredAntiAffinity -= 1 }
    }
    dropIfEmpty(index)
  }

  // MARK: - Slots

  private mutating func slot(for name: String) -> Int {
    if let index = nodeIndex[name] { return index }
    nodes.append(SchedulerNode(name: name))
    nodeIndex[name] = nodes.count - 1
    return nodes.count - 1
  }

  /// Removes an entry with neither node nor pods, moving the last entry into its place.
  private mutating func dropIfEmpty(_ index: Int) {
    guard nodes[index].node == nil, nodes[index].pods.isEmpty else { return }
    nodeIndex[nodes[index].name] = nil
    let last = nodes.count - 1
    if index != last {
      nodes.swapAt(index, last)
      nodeIndex[nodes[index].name] = index
    }
    nodes.removeLast()
  }

  private mutating func countImages(of node: SchedulerNode, sign: Int) {
    for name in node.images.keys {
      let count = imageNodeCounts[name, default: 0] + sign
      imageNodeCounts[name] = count > 0 ? count : nil
    }
  }

  func node(named name: String) -> SchedulerNode? {
    nodeIndex[name].flatMap { nodes[$0].node == nil ? nil : nodes[$0] }
  }

  func labels(ofNamespace name: String) -> [String: String] { namespaceLabels[name] ?? [:] }
}

/// What preemption needs of a PodDisruptionBudget: which pods it covers and how many more of
/// them may go (`status.disruptionsAllowed`; pods already in `status.disruptedPods` are counted).
struct DisruptionBudget: Sendable {
  var namespace: String
  /// nil or empty selects nothing, as upstream's preemption treats it.
  var selector: LabelSelector?
  var allowed: Int
  var disrupted: Set<String>

  func covers(_ pod: SchedulerPod) -> Bool {
    guard pod.namespace == namespace, !pod.labels.isEmpty, let selector, !selector.isEmpty else { return false }
    return selector.matches(pod.labels) && !disrupted.contains(pod.name)
  }
}
