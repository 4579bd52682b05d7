import KubeAPI

/// VolumeBinding's PreFilter state: the pod's claims split into bound and delayed-binding ones,
/// and the PVs of each delayed claim's class.
struct PodClaims: Sendable {
  var bound: [JSONValue] = []
  var delayed: [JSONValue] = []
  var volumesByClass: [String: [JSONValue]] = [:]

  var isEmpty: Bool { bound.isEmpty && delayed.isEmpty }
}

extension Scheduler {
  static let selectedNodeAnnotation = "volume.kubernetes.io/selected-node"

  /// VolumeBinding PreFilter: every referenced PVC must exist, not be lost or deleting, and
  /// (unless its class waits for the first consumer) already be bound.
  func preFilterVolumes(_ pod: SchedulerPod) -> Result<PodClaims, PreFilterStop> {
    var claims = PodClaims()
    if pod.claims.isEmpty { return .success(claims) }
    func reject(_ message: String) -> Result<PodClaims, PreFilterStop> {
      .failure(PreFilterStop(value: .rejected(.unresolvable("VolumeBinding", message))))
    }
    var immediate = 0
    for (name, ephemeral) in pod.claims {
      guard let claim = cache.claims[pod.namespace + "/" + name] else {
        if ephemeral {
          return reject("waiting for ephemeral volume controller to create the persistentvolumeclaim \"\(name)\"")
        }
        return reject("persistentvolumeclaim \"\(name)\" not found")
      }
      let volumeName = claim["spec"]?["volumeName"]?.stringValue ?? ""
      if claim["status"]?["phase"]?.stringValue == "Lost" {
        return reject("persistentvolumeclaim \"\(name)\" bound to non-existent persistentvolume \"\(volumeName)\"")
      }
      if claim.metadata.deletionTimestamp != nil { return reject("persistentvolumeclaim \"\(name)\" is being deleted") }
      if ephemeral && claim.metadata.controllerReference?.uid != pod.uid {
        return reject(
          "PVC \(pod.namespace)/\(name) was not created for pod \(pod.namespace)/\(pod.name) (pod is not owner)")
      }
      let fullyBound =
        !volumeName.isEmpty
        && (claim.metadata.annotations?["pv.kubernetes.io/bind-completed"] != nil
          || claim["status"]?["phase"]?.stringValue == "Bound")
      if fullyBound {
        claims.bound.append(claim)
      } else if volumeName.isEmpty && isDelayBinding(claim) {
        claims.delayed.append(claim)
      } else {
        immediate += 1
      }
    }
    if immediate > 0 { return reject("pod has unbound immediate PersistentVolumeClaims") }
    for claim in claims.delayed {
      let storageClass = Self.claimClass(claim)
      if claims.volumesByClass[storageClass] != nil { continue }
      claims.volumesByClass[storageClass] = cache.volumes.values.filter { Self.volumeClass($0) == storageClass }
        .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }
    return .success(claims)
  }

  /// Upstream's GetEligibleNodes: bound local PVs pinned by one `kubernetes.io/hostname In` term
  /// limit the pod to those hosts (intersected); nil when no bound PV says so or one is missing.
  func eligibleNodes(_ claims: PodClaims) -> Set<String>? {
    var eligible: Set<String>?
    for claim in claims.bound {
      guard let volume = cache.volumes[claim["spec"]?["volumeName"]?.stringValue ?? ""] else { return nil }
      let terms = volume["spec"]?["nodeAffinity"]?["required"]?["nodeSelectorTerms"]?.arrayValue ?? []
      guard terms.count == 1, let expressions = terms[0]["matchExpressions"]?.arrayValue, expressions.count == 1,
        expressions[0]["key"]?.stringValue == Self.hostnameLabel, expressions[0]["operator"]?.stringValue == "In"
      else { continue }
      let names = Set(expressions[0]["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
      if names.isEmpty { continue }
      eligible = eligible.map { $0.intersection(names) } ?? names
    }
    return eligible
  }

  func isDelayBinding(_ claim: JSONValue) -> Bool {
    let name = Self.claimClass(claim)
    guard !name.isEmpty, let storageClass = cache.storageClasses[name] else { return false }
    return storageClass["volumeBindingMode"]?.stringValue == "WaitForFirstConsumer"
  }

  /// VolumeBinding Filter: reasons in upstream's order (empty when the node works).
  func filterVolumes(_ state: CycleState, _ node: SchedulerNode) -> NodeStatus? {
    if state.claims.isEmpty { return nil }
    let reasons = findPodVolumes(state.claims, node).reasons
    return reasons.isEmpty ? nil : NodeStatus(code: .unresolvable, reasons: reasons, plugin: "VolumeBinding")
  }

  func volumeDecision(_ state: CycleState, _ node: SchedulerNode) -> VolumeDecision {
    state.claims.delayed.isEmpty ? VolumeDecision() : findPodVolumes(state.claims, node).decision
  }

  /// Upstream's FindPodVolumes: bound PVs must allow the node; delayed claims get the smallest
  /// matching available PV, or dynamic provisioning when their class has a provisioner.
  func findPodVolumes(_ claims: PodClaims, _ node: SchedulerNode) -> (reasons: [String], decision: VolumeDecision) {
    var boundSatisfied = true
    var unboundSatisfied = true
    var volumesFound = true
    var decision = VolumeDecision()
    for claim in claims.bound {
      guard let volume = cache.volumes[claim["spec"]?["volumeName"]?.stringValue ?? ""] else {
        volumesFound = false
        break
      }
      if !Self.volumeAllows(volume, labels: node.labels) {
        boundSatisfied = false
        break
      }
    }
    if boundSatisfied && volumesFound && !claims.delayed.isEmpty {
      var toMatch: [JSONValue] = []
      var toProvision: [JSONValue] = []
      for claim in claims.delayed {
        if let selected = claim.metadata.annotations?[Self.selectedNodeAnnotation] {
          if selected != node.name { unboundSatisfied = false }
          toProvision.append(claim)
        } else {
          toMatch.append(claim)
        }
      }
      if unboundSatisfied {
        toMatch.sort { Self.requestedStorage($0) < Self.requestedStorage($1) }
        var chosen = Set<String>()
        for claim in toMatch {
          let candidates = claims.volumesByClass[Self.claimClass(claim)] ?? []
          if let volume = Self.matchingVolume(for: claim, in: candidates, node: node, excluding: chosen) {
            let name = volume.metadata.name ?? ""
            chosen.insert(name)
            decision.bindings.append(.init(claim: claim.metadata.key, volume: name))
          } else {
            toProvision.append(claim)
            unboundSatisfied = false
          }
        }
        if !toProvision.isEmpty {
          unboundSatisfied = toProvision.allSatisfy { canProvision($0, on: node) }
          if unboundSatisfied { decision.provisions = toProvision.map(\.metadata.key) }
        }
      }
    }
    var reasons: [String] = []
    if !boundSatisfied { reasons.append("node(s) had volume node affinity conflict") }
    if !unboundSatisfied { reasons.append("node(s) didn't find available persistent volumes to bind") }
    if !volumesFound { reasons.append("node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)") }
    return (reasons, decision)
  }

  /// checkVolumeProvisions: the class has a real provisioner and its allowedTopologies admit the node.
  func canProvision(_ claim: JSONValue, on node: SchedulerNode) -> Bool {
    guard let storageClass = cache.storageClasses[Self.claimClass(claim)] else { return false }
    let provisioner = storageClass["provisioner"]?.stringValue ?? ""
    if provisioner.isEmpty || provisioner == "kubernetes.io/no-provisioner" { return false }
    return TopologySelector.matches(storageClass["allowedTopologies"]?.arrayValue ?? [], labels: node.labels)
  }

  /// Upstream's FindMatchingVolume on the scheduler path: a PV pre-bound to the claim wins, else
  /// the smallest Available PV of the class with enough capacity, mode, access modes and node affinity.
  static func matchingVolume(
    for claim: JSONValue, in volumes: [JSONValue], node: SchedulerNode, excluding chosen: Set<String>
  ) -> JSONValue? {
    let requested = requestedStorage(claim)
    let requestedClass = claimClass(claim)
    let selector: LabelSelector? = claim["spec"]?["selector"].flatMap { try? LabelSelector(object: $0) }
    let claimMode = claim["spec"]?["volumeMode"]?.stringValue ?? "Filesystem"
    let claimAccess = claim["spec"]?["accessModes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    var smallest: (volume: JSONValue, size: Quantity)?
    for volume in volumes {
      let name = volume.metadata.name ?? ""
      if chosen.contains(name) { continue }
      let claimRef = volume["spec"]?["claimRef"]
      let boundToClaim = claimRef.map { isVolumeRef($0, to: claim) } ?? false
      if claimRef != nil && !boundToClaim { continue }
      let size = storage(volume["spec"]?["capacity"])
      if size < requested { continue }
      if (volume["spec"]?["volumeMode"]?.stringValue ?? "Filesystem") != claimMode { continue }
      if volume.metadata.deletionTimestamp != nil { continue }
      let affinityOK = volumeAllows(volume, labels: node.labels)
      if boundToClaim { return affinityOK ? volume : nil }
      if volume["status"]?["phase"]?.stringValue != "Available" { continue }
      if let selector, !selector.matches(volume) { continue }
      if volumeClass(volume) != requestedClass || !affinityOK { continue }
      let modes = volume["spec"]?["accessModes"]?.arrayValue?.compactMap(\.stringValue) ?? []
      if !claimAccess.allSatisfy(modes.contains) { continue }
      if smallest == nil || size < smallest!.size { smallest = (volume, size) }
    }
    return smallest?.volume
  }

  static func isVolumeRef(_ ref: JSONValue, to claim: JSONValue) -> Bool {
    let meta = claim.metadata
    guard ref["name"]?.stringValue == meta.name, ref["namespace"]?.stringValue == (meta.namespace ?? "default")
    else { return false }
    let uid = ref["uid"]?.stringValue ?? ""
    return uid.isEmpty || uid == meta.uid
  }

  /// Upstream's CheckNodeAffinity: only node labels are available to the terms (no name field).
  static func volumeAllows(_ volume: JSONValue, labels: [String: String]) -> Bool {
    guard let required = volume["spec"]?["nodeAffinity"]?["required"], !required.isNull else { return true }
    let terms = (required["nodeSelectorTerms"]?.arrayValue ?? []).map(NodeSelectorTerm.init)
    return terms.contains { $0.matches(labels: labels, name: "") }
  }

  static func claimClass(_ claim: JSONValue) -> String {
    claim.metadata.annotations?["volume.beta.kubernetes.io/storage-class"]
      ?? claim["spec"]?["storageClassName"]?.stringValue ?? ""
  }

  static func volumeClass(_ volume: JSONValue) -> String {
    volume.metadata.annotations?["volume.beta.kubernetes.io/storage-class"]
      ?? volume["spec"]?["storageClassName"]?.stringValue ?? ""
  }

  static func requestedStorage(_ claim: JSONValue) -> Quantity { storage(claim["spec"]?["resources"]?["requests"]) }

  static func storage(_ list: JSONValue?) -> Quantity { SchedulerResources.quantities(list)["storage"] ?? .zero }
}
