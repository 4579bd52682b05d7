import KubeAPI

/// The outcome of one scheduling attempt.
public enum SchedulingResult: Sendable {
  /// Bind the pod to `node`; first apply `volumes` (bind the chosen PVs, mark claims for provisioning).
  case scheduled(node: String, volumes: VolumeDecision)
  /// No node fits. The error renders upstream's FailedScheduling message and may carry a preemption.
  case unschedulable(FitError)
  /// Scheduling could not be evaluated (a missing PVC, no nodes at all…): an error, not a fit
  /// verdict. Upstream retries such pods with backoff; `message` goes into the event.
  case failed(message: String)
}

/// What the volume binder decided for the pod's unbound WaitForFirstConsumer claims on the node.
public struct VolumeDecision: Sendable, Hashable {
  /// A pre-existing PV chosen for an unbound claim (`claim` is namespace/name).
  public struct Binding: Sendable, Hashable {
    public var claim: String
    public var volume: String
  }

  public var bindings: [Binding] = []
  /// Claims (namespace/name) to provision on the chosen node: set the annotation
  /// `volume.kubernetes.io/selected-node` on them.
  public var provisions: [String] = []

  public init(bindings: [Binding] = [], provisions: [String] = []) {
    self.bindings = bindings
    self.provisions = provisions
  }

  public var isEmpty: Bool { bindings.isEmpty && provisions.isEmpty }
}

/// A node the preemption picked and the pods to evict so the pod fits there.
public struct Preemption: Sendable {
  public var node: String
  /// Victims, most important first; delete them (upstream also sets a DisruptionTarget condition).
  public var victims: [JSONValue]
}

/// Why one node was rejected: the first failing filter plugin and its reasons.
struct NodeStatus: Sendable {
  enum Code: Sendable { case unschedulable, unresolvable }
  var code: Code
  var reasons: [String]
  var plugin: String

  static func unschedulable(_ plugin: String, _ reasons: String...) -> NodeStatus {
    NodeStatus(code: .unschedulable, reasons: reasons, plugin: plugin)
  }

  static func unresolvable(_ plugin: String, _ reasons: String...) -> NodeStatus {
    NodeStatus(code: .unresolvable, reasons: reasons, plugin: plugin)
  }
}

/// Upstream's FitError: per-node reasons aggregated into `0/N nodes are available: …` with the
/// PreFilter message, the sorted reason histogram and the preemption (PostFilter) message.
public struct FitError: Error, Sendable, CustomStringConvertible {
  public var numAllNodes: Int
  /// Set when a PreFilter plugin rejected the pod for every node.
  public var preFilterMessage: String?
  /// `preemption: …` text; nil when preemption found a node.
  public var postFilterMessage: String?
  /// Set when preemption found a node: evict the victims and nominate the pod there.
  public var preemption: Preemption?
  /// Plugins that rejected the pod, for deciding which cluster events may help it.
  public var unschedulablePlugins: Set<String> = []
  var nodeStatuses: [String: NodeStatus] = [:]
  /// Status of nodes not listed in `nodeStatuses` (rejected before Filter).
  var absentStatus: NodeStatus?

  init(numAllNodes: Int) { self.numAllNodes = numAllNodes }

  /// Reasons per node name (nodes rejected before Filter get the PreFilter status).
  public var reasonsByNode: [String: [String]] { nodeStatuses.mapValues(\.reasons) }

  public var message: String {
    var text = "0/\(numAllNodes) nodes are available:"
    if let preFilterMessage {
      text += " \(preFilterMessage)."
    } else {
      let histogram = reasonHistogram()
      if !histogram.isEmpty { text += " " + histogram.joined(separator: ", ") + "." }
    }
    if let postFilterMessage, !postFilterMessage.isEmpty { text += " " + postFilterMessage }
    return text
  }

  public var description: String { message }

  /// `"<count> <reason>"` strings sorted bytewise, as Go's sort.Strings orders them.
  func reasonHistogram() -> [String] {
    var counts: [String: Int] = [:]
    for status in nodeStatuses.values {
      for reason in status.reasons { counts[reason, default: 0] += 1 }
    }
    if let absentStatus, nodeStatuses.count < numAllNodes {
      for reason in absentStatus.reasons { counts[reason, default: 0] += numAllNodes - nodeStatuses.count }
    }
    return counts.map { "\($0.value) \($0.key)" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  func status(of node: String) -> NodeStatus? { nodeStatuses[node] ?? absentStatus }
}
