import KubeAPI
import Synchronization

/// One node and the pods assigned to it, with the running totals the filters and scores read
/// (upstream's NodeInfo). Pods can be known before their node (the node is then nil and skipped).
struct SchedulerNode: Sendable {
  var name: String
  var node: JSONValue?
  var labels: [String: String] = [:]
  var taints: [Taint] = []
  var unschedulable = false
  var allocatable = SchedulerResources()
  /// Image names on the node (`status.images[].names`) with their sizes.
  var images: [String: Int64] = [:]

  var pods: [SchedulerPod] = []
  var requested = SchedulerResources()
  var nonZeroCPU: Int64 = 0
  var nonZeroMemory: Int64 = 0
  var usedPorts: [HostPort: Int] = [:]
  var podsWithAffinity = 0
  var podsWithRequiredAntiAffinity = 0
  /// Changes whenever `pods` does, unique across all nodes: what `MatchingPodCounts` keys on.
  private(set) var podsVersion = SchedulerNode.nextVersion()

  private static let versions = Atomic<UInt64>(0)
  private static func nextVersion() -> UInt64 { versions.wrappingAdd(1, ordering: .relaxed).newValue }

  init(name: String) { self.name = name }

  /// Replaces the node object, keeping the pods.
  mutating func setNode(_ json: JSONValue?) {
    node = json
    guard let json else {
      labels = [:]
      taints = []
      unschedulable = false
      allocatable = SchedulerResources()
      images = [:]
      return
    }
    labels = json.metadata.labels ?? [:]
    let spec = json["spec"]
    taints = (spec?["taints"]?.arrayValue ?? []).map(Taint.init)
    unschedulable = spec?["unschedulable"]?.boolValue ?? false
    allocatable = SchedulerResources(SchedulerResources.quantities(json["status"]?["allocatable"]))
    images = [:]
    for image in json["status"]?["images"]?.arrayValue ?? [] {
      let size = image["sizeBytes"]?.intValue ?? 0
      for name in image["names"]?.arrayValue?.compactMap(\.stringValue) ?? [] { images[name] = size }
    }
  }

  mutating func addPod(_ pod: SchedulerPod) {
    pods.append(pod)
    podsVersion = Self.nextVersion()
    account(pod, sign: 1)
  }

  /// Removes the pod with this identity; returns it when it was there.
  @discardableResult
  mutating func removePod(identity: String) -> SchedulerPod? {
    guard let index = pods.firstIndex(where: { $0.identity == identity }) else { return nil }
    let pod = pods.remove(at: index)
    podsVersion = Self.nextVersion()
    account(pod, sign: -1)
    return pod
  }

  private mutating func account(_ pod: SchedulerPod, sign: Int64) {
    if sign > 0 { requested.add(pod.requests) } else { requested.subtract(pod.requests) }
    nonZeroCPU += sign * pod.nonZeroCPU
    nonZeroMemory += sign * pod.nonZeroMemory
    for port in pod.hostPorts {
      let count = usedPorts[port, default: 0] + Int(sign)
      usedPorts[port] = count > 0 ? count : nil
    }
    if pod.hasAffinityTerms { podsWithAffinity += Int(sign) }
    if !pod.requiredAntiAffinity.isEmpty { podsWithRequiredAntiAffinity += Int(sign) }
  }

  /// Pods in `namespace` matching `selector`, ignoring terminating ones (upstream's countPodsMatchSelector).
  func countPods(matching selector: LabelSelector, namespace: String) -> Int {
    if selector.matchesNothing { return 0 }
    var count = 0
    for pod in pods where !pod.isTerminating && pod.namespace == namespace && selector.matches(pod.labels) {
      count += 1
    }
    return count
  }

  func hasAllLabels<S: Sequence>(_ keys: S) -> Bool where S.Element == String {
    keys.allSatisfy { labels[$0] != nil }
  }
}
