import KubeAPI

/// One NodeSelectorTerm (matchExpressions on labels AND matchFields on `metadata.name`), parsed once.
/// A term that fails to parse or is empty matches no node, as upstream's lazy-error node selector.
struct NodeSelectorTerm: Sendable {
  private var labels: LabelSelector?
  /// `metadata.name` requirements: (equal?, value); other field keys compare against "".
  private var fields: [(key: String, equal: Bool, value: String)] = []
  private(set) var isValid = true

  init(_ json: JSONValue) {
    let expressions = json["matchExpressions"]?.arrayValue ?? []
    let fieldExpressions = json["matchFields"]?.arrayValue ?? []
    if expressions.isEmpty && fieldExpressions.isEmpty {
      isValid = false
      return
    }
    var requirements: [LabelSelector.Requirement] = []
    for expression in expressions {
      guard let requirement = Self.requirement(expression) else {
        isValid = false
        return
      }
      requirements.append(requirement)
    }
    if !expressions.isEmpty { labels = LabelSelector(requirements) }
    for expression in fieldExpressions {
      let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
      let op = expression["operator"]?.stringValue
      guard values.count == 1, op == "In" || op == "NotIn" else {
        isValid = false
        return
      }
      fields.append((expression["key"]?.stringValue ?? "", op == "In", values[0]))
    }
  }

  /// A node selector requirement as a label requirement (upstream's nodeSelectorRequirementsAsSelector).
  static func requirement(_ expression: JSONValue) -> LabelSelector.Requirement? {
    let key = expression["key"]?.stringValue ?? ""
    let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let op: LabelSelector.Operator
    switch expression["operator"]?.stringValue {
    case "In": op = .in
    case "NotIn": op = .notIn
    case "Exists": op = .exists
    case "DoesNotExist": op = .doesNotExist
    case "Gt": op = .greaterThan
    case "Lt": op = .lessThan
    default: return nil
    }
    return try? LabelSelector.Requirement(key: key, op: op, values: values)
  }

  func matches(labels nodeLabels: [String: String], name: String) -> Bool {
    guard isValid else { return false }
    if let labels, !labels.matches(nodeLabels) { return false }
    for field in fields {
      let actual = field.key == "metadata.name" ? name : ""
      if (actual == field.value) != field.equal { return false }
    }
    return true
  }

  /// Node names this term is limited to through `metadata.name In`, nil when it has no such field.
  var nodeNames: Set<String>? {
    var names: Set<String>?
    for field in fields where field.key == "metadata.name" && field.equal {
      names = names.map { $0.intersection([field.value]) } ?? [field.value]
    }
    return names
  }
}

/// A pod's hard node constraints: `spec.nodeSelector` AND (any required node affinity term).
struct RequiredNodeAffinity: Sendable {
  var nodeSelector: [String: String] = [:]
  /// nil when the pod has no required node affinity (every node passes that part).
  var terms: [NodeSelectorTerm]?

  init(spec: JSONValue?) {
    if case .object(let selector)? = spec?["nodeSelector"] {
      for (key, value) in selector { nodeSelector[key] = value.stringValue ?? "" }
    }
    let required = spec?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]
    if let required, !required.isNull {
      terms = (required["nodeSelectorTerms"]?.arrayValue ?? []).map(NodeSelectorTerm.init)
    }
  }

  var isEmpty: Bool { nodeSelector.isEmpty && terms == nil }

  func matches(labels: [String: String], name: String) -> Bool {
    for (key, value) in nodeSelector where labels[key] != value { return false }
    guard let terms else { return true }
    return terms.contains { $0.matches(labels: labels, name: name) }
  }

  /// Upstream NodeAffinity PreFilter: the union of the terms' `metadata.name In` sets; nil when
  /// some term is not limited by name (every node stays a candidate).
  var nodeNames: Set<String>? {
    guard let terms, !terms.isEmpty else { return nil }
    var union = Set<String>()
    for term in terms {
      guard let names = term.nodeNames else { return nil }
      union.formUnion(names)
    }
    return union
  }
}

/// Matches node labels against `allowedTopologies` of a StorageClass (terms ORed, empty matches all).
enum TopologySelector {
  static func matches(_ terms: [JSONValue], labels: [String: String]) -> Bool {
    if terms.isEmpty { return true }
    return terms.contains { term in
      (term["matchLabelExpressions"]?.arrayValue ?? []).allSatisfy { expression in
        guard let key = expression["key"]?.stringValue, let value = labels[key] else { return false }
        return (expression["values"]?.arrayValue ?? []).contains { $0.stringValue == value }
      }
    }
  }
}
