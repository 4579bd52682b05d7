import KubeAPI

/// Everything the scheduler needs from a pod, parsed once when the pod enters the cache or a
/// scheduling cycle (upstream's PodInfo), so the per-node checks never touch JSON.
struct SchedulerPod: Sendable {
  var uid: String
  var namespace: String
  var name: String
  var labels: [String: String]
  var nodeName: String
  var priority: Int64
  var preemptionNever: Bool
  var isTerminating: Bool
  var startTime: KubeTime?
  var nominatedNodeName: String
  /// Requests for fit checks (no defaults).
  var requests: SchedulerResources
  /// CPU and memory with 100m / 200Mi for containers that set none (scoring and node aggregates).
  var nonZeroCPU: Int64
  var nonZeroMemory: Int64
  var hostPorts: [HostPort]
  var tolerations: [Toleration]
  var requiredNodeAffinity: RequiredNodeAffinity
  var preferredNodeAffinity: [(weight: Int64, term: NodeSelectorTerm)]
  var requiredAffinity: [AffinityTerm]
  var requiredAntiAffinity: [AffinityTerm]
  var preferredAffinity: [AffinityTerm]
  var preferredAntiAffinity: [AffinityTerm]
  var spreadConstraints: [JSONValue]
  /// Container images (init first), normalised with `:latest` as ImageLocality does.
  var images: [String]
  var containerCount: Int
  /// PVC names referenced by the pod (persistentVolumeClaim and generic ephemeral volumes).
  var claims: [(name: String, ephemeral: Bool)]
  var schedulingGated: Bool
  /// Why the pod's affinity could not be parsed; such a pod cannot be scheduled.
  var parseError: String?
  var raw: JSONValue

  init(_ pod: JSONValue) {
    raw = pod
    let meta = pod.metadata
    uid = meta.uid ?? ""
    namespace = meta.namespace ?? "default"
    name = meta.name ?? ""
    labels = meta.labels ?? [:]
    isTerminating = meta.deletionTimestamp != nil
    let spec = pod["spec"]
    nodeName = spec?["nodeName"]?.stringValue ?? ""
    priority = spec?["priority"]?.intValue ?? 0
    preemptionNever = spec?["preemptionPolicy"]?.stringValue == "Never"
    startTime = pod["status"]?["startTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) }
    nominatedNodeName = pod["status"]?["nominatedNodeName"]?.stringValue ?? ""
    let computed = PodRequests.compute(spec: spec)
    requests = SchedulerResources(computed.requests)
    let nonZero = SchedulerResources(computed.nonZero)
    nonZeroCPU = nonZero.milliCPU
    nonZeroMemory = nonZero.memory
    hostPorts = HostPort.ports(of: spec)
    tolerations = (spec?["tolerations"]?.arrayValue ?? []).map(Toleration.init)
    requiredNodeAffinity = RequiredNodeAffinity(spec: spec)
    preferredNodeAffinity = []
    let nodeAffinity = spec?["affinity"]?["nodeAffinity"]
    for json in nodeAffinity?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [] {
      let weight = json["weight"]?.intValue ?? 0
      let term = NodeSelectorTerm(json["preference"] ?? [:])
      if weight != 0 && term.isValid { preferredNodeAffinity.append((weight, term)) }
    }
    requiredAffinity = []
    requiredAntiAffinity = []
    preferredAffinity = []
    preferredAntiAffinity = []
    let affinity = spec?["affinity"]?["podAffinity"]
    let antiAffinity = spec?["affinity"]?["podAntiAffinity"]
    let required = "requiredDuringSchedulingIgnoredDuringExecution"
    let preferred = "preferredDuringSchedulingIgnoredDuringExecution"
    do {
      requiredAffinity = try AffinityTerm.parse(affinity?[required], podNamespace: namespace)
      requiredAntiAffinity = try AffinityTerm.parse(antiAffinity?[required], podNamespace: namespace)
      preferredAffinity = try AffinityTerm.parseWeighted(affinity?[preferred], podNamespace: namespace)
      preferredAntiAffinity = try AffinityTerm.parseWeighted(antiAffinity?[preferred], podNamespace: namespace)
    } catch {
      parseError = error.message
    }
    spreadConstraints = spec?["topologySpreadConstraints"]?.arrayValue ?? []
    let initContainers = spec?["initContainers"]?.arrayValue ?? []
    let containers = spec?["containers"]?.arrayValue ?? []
    images = (initContainers + containers).compactMap { $0["image"]?.stringValue }.map(Self.normalizedImageName)
    containerCount = initContainers.count + containers.count
    claims = []
    for volume in spec?["volumes"]?.arrayValue ?? [] {
      if let claim = volume["persistentVolumeClaim"]?["claimName"]?.stringValue {
        claims.append((claim, false))
      } else if volume["ephemeral"] != nil, let volumeName = volume["name"]?.stringValue {
        claims.append((name + "-" + volumeName, true))
      }
    }
    schedulingGated = !(spec?["schedulingGates"]?.arrayValue?.isEmpty ?? true)
  }

  /// `namespace/name`, the queue's and the cache's fallback identity when a pod has no UID.
  var key: String { namespace + "/" + name }
  var identity: String { uid.isEmpty ? key : uid }

  var hasAffinityTerms: Bool {
    !requiredAffinity.isEmpty || !requiredAntiAffinity.isEmpty || !preferredAffinity.isEmpty
      || !preferredAntiAffinity.isEmpty
  }

  /// Topology spread constraints with one `whenUnsatisfiable` action, parsed against this pod's labels.
  func spreadConstraints(scheduleAnyway: Bool) throws(KubeAPIError) -> [TopologySpreadConstraint] {
    var result: [TopologySpreadConstraint] = []
    for json in spreadConstraints {
      let action = json["whenUnsatisfiable"]?.stringValue == "ScheduleAnyway"
      if action == scheduleAnyway { result.append(try TopologySpreadConstraint(json, podLabels: labels)) }
    }
    return result
  }

  /// Upstream's normalizedImageName: an image without a tag gets `:latest`.
  static func normalizedImageName(_ name: String) -> String {
    let colon = name.lastIndex(of: ":")
    let slash = name.lastIndex(of: "/")
    switch (colon, slash) {
    case (nil, _): return name + ":latest"
    case (let c?, let s?) where c < s: return name + ":latest"
    default: return name
    }
  }

  /// Upstream's MoreImportantPod: higher priority, then the earlier start time.
  static func moreImportant(_ a: SchedulerPod, _ b: SchedulerPod) -> Bool {
    if a.priority != b.priority { return a.priority > b.priority }
    switch (a.startTime, b.startTime) {
    case (let x?, let y?): return x < y
    case (.some, nil): return true
    default: return false
    }
  }
}
