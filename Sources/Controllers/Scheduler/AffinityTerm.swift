import KubeAPI

/// A parsed PodAffinityTerm: which pods (selector, namespaces or namespaceSelector) in which
/// topology domain (topologyKey). Matching follows upstream's framework.AffinityTerm.Matches.
struct AffinityTerm: Sendable {
  var namespaces: Set<String>
  var selector: LabelSelector
  /// `.nothing` when the term has no namespaceSelector; an empty selector matches every namespace.
  var namespaceSelector: LabelSelector
  var topologyKey: String
  var weight: Int64 = 0

  init(_ json: JSONValue, podNamespace: String, weight: Int64 = 0) throws(KubeAPIError) {
    selector = try LabelSelector(object: json["labelSelector"])
    let names = json["namespaces"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let nsSelectorJSON = json["namespaceSelector"]
    let hasNamespaceSelector = nsSelectorJSON.map { !$0.isNull } ?? false
    namespaces = names.isEmpty && !hasNamespaceSelector ? [podNamespace] : Set(names)
    namespaceSelector = try LabelSelector(object: nsSelectorJSON)
    topologyKey = json["topologyKey"]?.stringValue ?? ""
    self.weight = weight
  }

  /// Whether `pod` is selected by this term; namespace labels are looked up only when needed.
  func matches(_ pod: SchedulerPod, namespaceLabels: (String) -> [String: String]) -> Bool {
    if !namespaces.contains(pod.namespace) {
      if namespaceSelector.matchesNothing || !namespaceSelector.matches(namespaceLabels(pod.namespace)) {
        return false
      }
    }
    return selector.matches(pod.labels)
  }

  static func parse(_ list: JSONValue?, podNamespace: String) throws(KubeAPIError) -> [AffinityTerm] {
    var terms: [AffinityTerm] = []
    for json in list?.arrayValue ?? [] { terms.append(try AffinityTerm(json, podNamespace: podNamespace)) }
    return terms
  }

  /// Weighted terms; weight 0 terms are kept (they add nothing) to mirror upstream's list.
  static func parseWeighted(_ list: JSONValue?, podNamespace: String) throws(KubeAPIError) -> [AffinityTerm] {
    var terms: [AffinityTerm] = []
    for json in list?.arrayValue ?? [] {
      let weight = json["weight"]?.intValue ?? 0
      terms.append(try AffinityTerm(json["podAffinityTerm"] ?? [:], podNamespace: podNamespace, weight: weight))
    }
    return terms
  }
}

/// A parsed topologySpreadConstraint with upstream's defaults (minDomains 1, nodeAffinityPolicy
/// Honor, nodeTaintsPolicy Ignore) and matchLabelKeys folded into the selector.
struct TopologySpreadConstraint: Sendable {
  var maxSkew: Int64
  var topologyKey: String
  var selector: LabelSelector
  var minDomains: Int64
  var honorNodeAffinity: Bool
  var honorNodeTaints: Bool
  var scheduleAnyway: Bool

  init(
    maxSkew: Int64, topologyKey: String, selector: LabelSelector, minDomains: Int64 = 1,
    honorNodeAffinity: Bool = true, honorNodeTaints: Bool = false, scheduleAnyway: Bool
  ) {
    self.maxSkew = maxSkew
    self.topologyKey = topologyKey
    self.selector = selector
    self.minDomains = minDomains
    self.honorNodeAffinity = honorNodeAffinity
    self.honorNodeTaints = honorNodeTaints
    self.scheduleAnyway = scheduleAnyway
  }

  init(_ json: JSONValue, podLabels: [String: String]) throws(KubeAPIError) {
    maxSkew = json["maxSkew"]?.intValue ?? 1
    topologyKey = json["topologyKey"]?.stringValue ?? ""
    var selector = try LabelSelector(object: json["labelSelector"])
    var extra: [LabelSelector.Requirement] = []
    for key in json["matchLabelKeys"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
      if let value = podLabels[key] {
        extra.append(try LabelSelector.Requirement(key: key, op: .equals, values: [value]))
      }
    }
    if !extra.isEmpty { selector = selector.adding(extra) }
    self.selector = selector
    minDomains = json["minDomains"]?.intValue ?? 1
    honorNodeAffinity = json["nodeAffinityPolicy"]?.stringValue != "Ignore"
    honorNodeTaints = json["nodeTaintsPolicy"]?.stringValue == "Honor"
    scheduleAnyway = json["whenUnsatisfiable"]?.stringValue == "ScheduleAnyway"
  }

  /// Upstream's matchNodeInclusionPolicies: whether a node's pods count toward the spread.
  func includes(node: SchedulerNode, pod: SchedulerPod) -> Bool {
    if honorNodeAffinity && !pod.requiredNodeAffinity.matches(labels: node.labels, name: node.name) { return false }
    if honorNodeTaints && pod.tolerations.firstUntolerated(node.taints) != nil { return false }
    return true
  }
}
