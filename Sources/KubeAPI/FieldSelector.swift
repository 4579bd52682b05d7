import Foundation

/// A field selector (`metadata.name=x,spec.nodeName!=y`) as upstream's fields.ParseSelector:
/// terms split on unescaped commas, `\,` `\=` `\\` escapes in values, `=`/`==`/`!=` only.
public struct FieldSelector: Hashable, Sendable, CustomStringConvertible {
  public struct Term: Hashable, Sendable {
    public var field: String
    public var value: String
    /// True for `!=`.
    public var negated: Bool

    public init(field: String, value: String, negated: Bool = false) {
      self.field = field
      self.value = value
      self.negated = negated
    }
  }

  /// Terms sorted as upstream sorts them (by raw term text).
  public private(set) var terms: [Term]

  public init(_ terms: [Term] = []) { self.terms = terms }

  public static let everything = FieldSelector()

  public var isEmpty: Bool { terms.isEmpty }

  public init(parsing text: String) throws(KubeAPIError) {
    var parts = Self.splitTerms(text)
    parts.sort()
    var terms: [Term] = []
    for part in parts where !part.isEmpty {
      guard let (field, op, rawValue) = Self.splitTerm(part) else {
        throw KubeAPIError(.selector, "invalid selector: '\(text)'; can't understand '\(part)'")
      }
      terms.append(Term(field: field, value: try Self.unescape(rawValue), negated: op == "!="))
    }
    self.terms = terms
  }

  /// True when every term holds; `value(field)` returns the object's value for a field path
  /// (nil if the kind does not support selecting on that field, which then never matches `=`).
  public func matches(_ value: (String) -> String?) -> Bool {
    terms.allSatisfy { term in
      let actual = value(term.field)
      return term.negated ? actual != term.value : actual == term.value
    }
  }

  /// The value required for `field` through `=`/`==`, if any.
  public func requiredExactValue(for field: String) -> String? {
    terms.first { $0.field == field && !$0.negated }?.value
  }

  public var description: String {
    terms.map { "\($0.field)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
  }

  /// Escapes `\`, `,` and `=` in a value for use in a selector string.
  public static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,")
      .replacingOccurrences(of: "=", with: "\\=")
  }

  static func splitTerms(_ text: String) -> [String] {
    guard !text.isEmpty else { return [] }
    var terms: [String] = []
    var current = ""
    var inSlash = false
    for ch in text {
      if inSlash {
        inSlash = false
      } else if ch == "\\" {
        inSlash = true
      } else if ch == "," {
        terms.append(current)
        current = ""
        continue
      }
      current.append(ch)
    }
    terms.append(current)
    return terms
  }

  /// Splits at the first `!=`, `==` or `=` (tried in that order at each position).
  static func splitTerm(_ term: String) -> (String, String, String)? {
    var index = term.startIndex
    while index < term.endIndex {
      let rest = term[index...]
      for op in ["!=", "==", "="] where rest.hasPrefix(op) {
        return (String(term[..<index]), op, String(rest.dropFirst(op.count)))
      }
      index = term.index(after: index)
    }
    return nil
  }

  static func unescape(_ value: String) throws(KubeAPIError) -> String {
    guard value.contains(where: { $0 == "\\" || $0 == "," || $0 == "=" }) else { return value }
    var out = ""
    var inSlash = false
    for scalar in value.unicodeScalars {
      if inSlash {
        guard scalar == "\\" || scalar == "," || scalar == "=" else {
          throw KubeAPIError(.selector, "invalid field selector: invalid escape sequence: \\\(scalar)")
        }
        out.unicodeScalars.append(scalar)
        inSlash = false
        continue
      }
      switch scalar {
      case "\\": inSlash = true
      case ",", "=":
        throw KubeAPIError(.selector, "invalid field selector: unescaped character in value: \(scalar.value)")
      default: out.unicodeScalars.append(scalar)
      }
    }
    if inSlash { throw KubeAPIError(.selector, "invalid field selector: invalid escape sequence: \\") }
    return out
  }
}

extension FieldSelector {
  /// Matches an object using its own fields as values (`metadata.name`, `spec.nodeName`,
  /// `status.phase`…); numbers and booleans compare by their JSON text, as upstream's field sets do.
  public func matches(_ object: JSONValue) -> Bool {
    matches { path in object.fieldSelectorValue(atPath: path) }
  }
}

extension JSONValue {
  /// The value at a dotted path rendered as a field-selector string; nil for missing fields,
  /// objects and arrays.
  public func fieldSelectorValue(atPath path: String) -> String? {
    switch value(atPath: path) {
    case .string(let s)?: return s
    case .int(let i)?: return String(i)
    case .double(let d)?: return GoFloat.format(d)
    case .bool(let b)?: return b ? "true" : "false"
    default: return nil
    }
  }
}
