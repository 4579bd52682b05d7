extension LabelSelector {
  /// Builds a selector from a LabelSelector API object (`{matchLabels, matchExpressions}`) as
  /// upstream's LabelSelectorAsSelector: nil selects nothing, an empty object everything.
  public init(object: JSONValue?) throws(KubeAPIError) {
    guard let object, !object.isNull else {
      self = .nothing
      return
    }
    guard case .object(let members) = object else {
      throw KubeAPIError(.selector, "a label selector must be an object, not \(object.typeName)")
    }
    let matchLabels = members["matchLabels"]?.objectValue ?? [:]
    let expressions = members["matchExpressions"]?.arrayValue ?? []
    var requirements: [Requirement] = []
    for key in matchLabels.keys.sorted() {
      let value = matchLabels[key]?.stringValue ?? ""
      requirements.append(try Requirement(key: key, op: .equals, values: [value]))
    }
    for expression in expressions {
      let key = expression["key"]?.stringValue ?? ""
      let operatorName = expression["operator"]?.stringValue ?? ""
      let op: Operator
      switch operatorName {
      case "In": op = .in
      case "NotIn": op = .notIn
      case "Exists": op = .exists
      case "DoesNotExist": op = .doesNotExist
      default: throw KubeAPIError(.selector, "\(goQuote(operatorName)) is not a valid label selector operator")
      }
      let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
      requirements.append(try Requirement(key: key, op: op, values: values))
    }
    self.init(requirements)
  }

  /// A `matchLabels`-only selector object selecting exactly `labels` (what controllers stamp on templates).
  public static func object(matchLabels labels: [String: String]) -> JSONValue {
    ["matchLabels": .object(labels.mapValues { .string($0) })]
  }
}
