/// A label selector as upstream's labels.Selector: an AND of requirements, parsed from the
/// `?labelSelector=` syntax or built from a LabelSelector object (`matchLabels`/`matchExpressions`).
public struct LabelSelector: Hashable, Sendable, CustomStringConvertible {
  public enum Operator: String, Hashable, Sendable {
    case equals = "="
    case doubleEquals = "=="
    case notEquals = "!="
    case `in` = "in"
    case notIn = "notin"
    case exists = "exists"
    case doesNotExist = "!"
    case greaterThan = "gt"
    case lessThan = "lt"
  }

  /// One `key op values` clause.
  public struct Requirement: Hashable, Sendable, CustomStringConvertible {
    public let key: String
    public let op: Operator
    /// Values in the order given (sets in upstream; matching does not depend on order).
    public let values: [String]

    /// Validates like upstream's NewRequirement; the error is the aggregated field error text.
    public init(key: String, op: Operator, values: [String], path: FieldPath = .none) throws(KubeAPIError) {
      var errors: [FieldError] = []
      let keyErrors = NameValidation.qualifiedName(key)
      if !keyErrors.isEmpty {
        errors.append(.invalid(path.child("key"), .string(key), keyErrors.joined(separator: "; ")))
      }
      let valuePath = path.child("values")
      let valuesJSON = JSONValue.array(values.map { .string($0) })
      switch op {
      case .in, .notIn:
        if values.isEmpty {
          errors.append(.invalid(valuePath, valuesJSON, "for 'in', 'notin' operators, values set can't be empty"))
        }
      case .equals, .doubleEquals, .notEquals:
        if values.count != 1 {
          errors.append(.invalid(valuePath, valuesJSON, "exact-match compatibility requires one single value"))
        }
      case .exists, .doesNotExist:
        if !values.isEmpty {
          errors.append(.invalid(valuePath, valuesJSON, "values set must be empty for exists and does not exist"))
        }
      case .greaterThan, .lessThan:
        if values.count != 1 {
          errors.append(.invalid(valuePath, valuesJSON, "for 'Gt', 'Lt' operators, exactly one value is required"))
        }
        for (i, value) in values.enumerated() where Int64(value) == nil {
          errors.append(
            .invalid(valuePath.index(i), .string(value), "for 'Gt', 'Lt' operators, the value must be an integer"))
        }
      }
      for (i, value) in values.enumerated() {
        let valueErrors = NameValidation.labelValue(value)
        if !valueErrors.isEmpty {
          errors.append(.invalid(valuePath.index(i).key(key), .string(value), valueErrors.joined(separator: "; ")))
        }
      }
      if let message = errors.aggregateMessage { throw KubeAPIError(.selector, message) }
      self.key = key
      self.op = op
      self.values = values
    }

    /// Upstream's Requirement.Matches.
    public func matches(_ labels: [String: String]) -> Bool {
      switch op {
      case .in, .equals, .doubleEquals:
        guard let value = labels[key] else { return false }
        return values.contains(value)
      case .notIn, .notEquals:
        guard let value = labels[key] else { return true }
        return !values.contains(value)
      case .exists:
        return labels[key] != nil
      case .doesNotExist:
        return labels[key] == nil
      case .greaterThan, .lessThan:
        guard let text = labels[key], let actual = Int64(text), values.count == 1, let bound = Int64(values[0])
        else { return false }
        return op == .greaterThan ? actual > bound : actual < bound
      }
    }

    /// Upstream's Requirement.String(): `a=b`, `!a`, `a in (x,y)` with values sorted.
    public var description: String {
      var out = op == .doesNotExist ? "!" + key : key
      switch op {
      case .equals: out += "="
      case .doubleEquals: out += "=="
      case .notEquals: out += "!="
      case .in: out += " in "
      case .notIn: out += " notin "
      case .greaterThan: out += ">"
      case .lessThan: out += "<"
      case .exists, .doesNotExist: return out
      }
      let shown = values.count == 1 ? values[0] : values.sorted().joined(separator: ",")
      return op == .in || op == .notIn ? out + "(" + shown + ")" : out + shown
    }
  }

  /// Requirements sorted by key (stable), as upstream keeps them.
  public private(set) var requirements: [Requirement]
  /// True for `nothing`: a selector that matches no object (a nil LabelSelector object).
  public private(set) var matchesNothing: Bool = false

  public init(_ requirements: [Requirement] = []) {
    self.requirements = Self.sortedByKey(requirements)
  }

  /// Matches every object.
  public static let everything = LabelSelector()
  /// Matches no object.
  public static var nothing: LabelSelector {
    var selector = LabelSelector()
    selector.matchesNothing = true
    return selector
  }

  /// Equality on every label in `labels` (upstream's SelectorFromSet); no validation.
  public init(matching labels: [String: String]) {
    self.requirements = labels.keys.sorted().map { Requirement(unchecked: $0, .equals, [labels[$0]!]) }
  }

  public var isEmpty: Bool { requirements.isEmpty && !matchesNothing }

  public func matches(_ labels: [String: String]) -> Bool {
    if matchesNothing { return false }
    return requirements.allSatisfy { $0.matches(labels) }
  }

  /// Matches an object by its `metadata.labels`.
  public func matches(_ object: JSONValue) -> Bool { matches(object.metadata.labels ?? [:]) }

  public var description: String { requirements.map(\.description).joined(separator: ",") }

  /// The value a selector requires for `label` through `=`, `==` or a one-value `in`, if any
  /// (lets a list be narrowed by an index before matching).
  public func requiredExactValue(for label: String) -> String? {
    guard let r = requirements.first(where: { $0.key == label }) else { return nil }
    switch r.op {
    case .equals, .doubleEquals, .in: return r.values.count == 1 ? r.values[0] : nil
    default: return nil
    }
  }

  public func adding(_ more: [Requirement]) -> LabelSelector {
    var copy = self
    copy.requirements = Self.sortedByKey(requirements + more)
    return copy
  }

  private static func sortedByKey(_ requirements: [Requirement]) -> [Requirement] {
    requirements.enumerated().sorted { a, b in
      a.element.key == b.element.key ? a.offset < b.offset : a.element.key < b.element.key
    }.map(\.element)
  }
}

extension LabelSelector.Requirement {
  init(unchecked key: String, _ op: LabelSelector.Operator, _ values: [String]) {
    self.key = key
    self.op = op
    self.values = values
  }
}
