import KubeAPI

/// Where a DaemonSet's pods belong, judged as upstream's NodeShouldRunDaemonPod: the template's
/// nodeName, nodeSelector and required node affinity must fit the node, and every NoSchedule or
/// NoExecute taint must be tolerated (counting the tolerations every daemon pod gets).
enum DaemonPlacement {
  /// Whether a daemon pod should be created on the node, and whether one already there may stay.
  struct Verdict: Equatable {
    var shouldRun: Bool
    var shouldContinueRunning: Bool
  }

  static func verdict(node: JSONValue, daemonSet: JSONValue) -> Verdict {
    let nodeName = node.metadata.name ?? ""
    var spec = daemonSet["spec"]?["template"]?["spec"] ?? .object([:])
    if let wanted = spec["nodeName"]?.stringValue, !wanted.isEmpty, wanted != nodeName {
      return Verdict(shouldRun: false, shouldContinueRunning: false)
    }
    addDaemonTolerations(&spec)
    guard fitsNodeSelector(spec, node: node) && fitsRequiredAffinity(spec, node: node) else {
      return Verdict(shouldRun: false, shouldContinueRunning: false)
    }
    let tolerations = spec["tolerations"]?.arrayValue ?? []
    let untolerated = (node["spec"]?["taints"]?.arrayValue ?? []).filter { taint in
      !tolerations.contains { tolerates($0, taint) }
    }
    let effects = untolerated.compactMap { $0["effect"]?.stringValue }
    if effects.contains("NoSchedule") || effects.contains("NoExecute") {
      return Verdict(shouldRun: false, shouldContinueRunning: !effects.contains("NoExecute"))
    }
    return Verdict(shouldRun: true, shouldContinueRunning: true)
  }

  /// The tolerations upstream adds to every daemon pod so node problems neither evict it nor keep
  /// it off a node (AddOrUpdateDaemonPodTolerations); network-unavailable only for hostNetwork.
  static func addDaemonTolerations(_ spec: inout JSONValue) {
    var wanted: [(String, String)] = [
      ("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
      ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
      ("node.kubernetes.io/pid-pressure", "NoSchedule"), ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ]
    if spec["hostNetwork"]?.boolValue == true {
      wanted.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
    }
    var tolerations = spec["tolerations"]?.arrayValue ?? []
    for (key, effect) in wanted {
      let toleration: JSONValue = ["key": .string(key), "operator": "Exists", "effect": .string(effect)]
      // Same key, operator, value and effect is the same toleration: replaced, not repeated.
      if let index = tolerations.firstIndex(where: {
        $0["key"]?.stringValue == key && $0["operator"]?.stringValue == "Exists"
          && ($0["value"]?.stringValue ?? "") == "" && $0["effect"]?.stringValue == effect
      }) {
        tolerations[index] = toleration
      } else {
        tolerations.append(toleration)
      }
    }
    spec["tolerations"] = .array(tolerations)
  }

  /// v1 Toleration.ToleratesTaint.
  static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
    let effect = toleration["effect"]?.stringValue ?? ""
    if !effect.isEmpty && effect != taint["effect"]?.stringValue { return false }
    let key = toleration["key"]?.stringValue ?? ""
    if !key.isEmpty && key != taint["key"]?.stringValue { return false }
    switch toleration["operator"]?.stringValue ?? "" {
    case "", "Equal": return (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
    case "Exists": return true
    default: return false
    }
  }

  static func fitsNodeSelector(_ spec: JSONValue, node: JSONValue) -> Bool {
    let labels = node.metadata.labels ?? [:]
    for (key, value) in spec["nodeSelector"]?.objectValue ?? [:] where labels[key] != value.stringValue {
      return false
    }
    return true
  }

  /// requiredDuringSchedulingIgnoredDuringExecution: any term matches (a term with no
  /// requirement matches nothing).
  static func fitsRequiredAffinity(_ spec: JSONValue, node: JSONValue) -> Bool {
    guard let required = spec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"],
      !required.isNull
    else { return true }
    let terms = required["nodeSelectorTerms"]?.arrayValue ?? []
    let labels = node.metadata.labels ?? [:]
    let fields = ["metadata.name": node.metadata.name ?? ""]
    return terms.contains { term in
      let expressions = term["matchExpressions"]?.arrayValue ?? []
      let matchFields = term["matchFields"]?.arrayValue ?? []
      guard !expressions.isEmpty || !matchFields.isEmpty else { return false }
      return expressions.allSatisfy { requirementMatches($0, labels) }
        && matchFields.allSatisfy { requirementMatches($0, fields, fieldsOnly: true) }
    }
  }

  /// A NodeSelectorRequirement against labels (or the `metadata.name` field).
  static func requirementMatches(_ requirement: JSONValue, _ values: [String: String], fieldsOnly: Bool = false)
    -> Bool
  {
    let key = requirement["key"]?.stringValue ?? ""
    let wanted = requirement["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let value = values[key]
    switch requirement["operator"]?.stringValue ?? "" {
    case "In": return value.map(wanted.contains) ?? false
    case "NotIn": return value.map { !wanted.contains($0) } ?? true
    case "Exists" where !fieldsOnly: return value != nil
    case "DoesNotExist" where !fieldsOnly: return value == nil
    case "Gt" where !fieldsOnly, "Lt" where !fieldsOnly:
      guard let have = value.flatMap({ Int64($0) }), wanted.count == 1, let bound = Int64(wanted[0]) else {
        return false
      }
      return requirement["operator"]?.stringValue == "Gt" ? have > bound : have < bound
    default: return false
    }
  }

  /// The affinity of a daemon pod pinned to one node: its required node terms replaced by
  /// `metadata.name In [node]` (upstream ReplaceDaemonSetPodNodeNameNodeAffinity).
  static func pinning(_ affinity: JSONValue?, to node: String) -> JSONValue {
    let terms: JSONValue = [
      ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]
    ]
    var affinity = affinity.flatMap { $0.isNull ? nil : $0 } ?? .object([:])
    var nodeAffinity = affinity["nodeAffinity"].flatMap { $0.isNull ? nil : $0 } ?? .object([:])
    var required =
      nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"].flatMap { $0.isNull ? nil : $0 }
      ?? .object([:])
    required["nodeSelectorTerms"] = terms
    nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = required
    affinity["nodeAffinity"] = nodeAffinity
    return affinity
  }

  /// The node a daemon pod is for: its nodeName once bound, else the node its affinity pins it to
  /// (upstream GetTargetNodeName).
  static func targetNode(of pod: JSONValue) -> String? {
    if let name = pod["spec"]?["nodeName"]?.stringValue, !name.isEmpty { return name }
    let path = [
      "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms",
    ]
    for term in pod[path: path]?.arrayValue ?? [] {
      for field in term["matchFields"]?.arrayValue ?? []
      where field["key"]?.stringValue == "metadata.name" && field["operator"]?.stringValue == "In" {
        let values = field["values"]?.arrayValue ?? []
        return values.count == 1 ? values[0].stringValue : nil
      }
    }
    return nil
  }
}
