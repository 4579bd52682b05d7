extension LabelSelector {
  /// Parses the label selector syntax (`a=b,c!=d,e in (x,y),f notin (z),g,!h,i>3`) with
  /// upstream labels.Parse's grammar and error messages.
  public init(parsing text: String) throws(KubeAPIError) {
    var parser = SelectorParser(tokens: SelectorLexer.tokens(of: text))
    self.init(try parser.parse())
  }
}

private enum SelectorToken: Equatable {
  case end, closedPar, comma, doesNotExist, doubleEquals, equals, greaterThan, identifier, `in`, lessThan
  case notEquals, notIn, openPar, error

  static let literals: [String: SelectorToken] = [
    ")": .closedPar, ",": .comma, "!": .doesNotExist, "==": .doubleEquals, "=": .equals, ">": .greaterThan,
    "in": .in, "<": .lessThan, "!=": .notEquals, "notin": .notIn, "(": .openPar,
  ]
}

private enum SelectorLexer {
  static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
  static func isSpecial(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
      UInt8(ascii: ">"), UInt8(ascii: "<"):
      return true
    default: return false
    }
  }

  static func tokens(of text: String) -> [(SelectorToken, String)] {
    let s = Array(text.utf8)
    var pos = 0
    var out: [(SelectorToken, String)] = []
    while true {
      while pos < s.count && isWhitespace(s[pos]) { pos += 1 }
      // A NUL byte ends the input, as the upstream lexer reads 0 at end of string.
      guard pos < s.count, s[pos] != 0 else {
        out.append((.end, ""))
        return out
      }
      if isSpecial(s[pos]) {
        var buffer: [UInt8] = []
        var last: (SelectorToken, String)?
        while pos < s.count && isSpecial(s[pos]) {
          buffer.append(s[pos])
          let text = String(decoding: buffer, as: UTF8.self)
          if let token = SelectorToken.literals[text] {
            last = (token, text)
            pos += 1
          } else if last != nil {
            break
          } else {
            pos += 1
          }
        }
        out.append(last ?? (.error, "error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'"))
      } else {
        let start = pos
        while pos < s.count && s[pos] != 0 && !isSpecial(s[pos]) && !isWhitespace(s[pos]) { pos += 1 }
        let word = String(decoding: s[start..<pos], as: UTF8.self)
        if let token = SelectorToken.literals[word] {
          out.append((token, word))
        } else {
          out.append((.identifier, word))
        }
      }
    }
  }
}

private struct SelectorParser {
  let tokens: [(SelectorToken, String)]
  var position = 0

  /// In a values context `in` and `notin` are plain identifiers (`x in (in)`).
  func lookahead(values: Bool) -> (SelectorToken, String) {
    var (token, literal) = tokens[position]
    if values && (token == .in || token == .notIn) { token = .identifier }
    return (token, literal)
  }

  mutating func consume(values: Bool) -> (SelectorToken, String) {
    let result = lookahead(values: values)
    position += 1
    return result
  }

  func fail(_ message: String) -> KubeAPIError { KubeAPIError(.selector, message) }

  mutating func parse() throws(KubeAPIError) -> [LabelSelector.Requirement] {
    var requirements: [LabelSelector.Requirement] = []
    while true {
      let (token, literal) = lookahead(values: true)
      switch token {
      case .identifier, .doesNotExist:
        do {
          requirements.append(try parseRequirement())
        } catch {
          throw fail("unable to parse requirement: \(error.message)")
        }
        let (next, nextLiteral) = consume(values: true)
        switch next {
        case .end: return requirements
        case .comma:
          let (after, afterLiteral) = lookahead(values: true)
          if after != .identifier && after != .doesNotExist {
            throw fail("found '\(afterLiteral)', expected: identifier after ','")
          }
        default: throw fail("found '\(nextLiteral)', expected: ',' or 'end of string'")
        }
      case .end:
        return requirements
      default:
        throw fail("found '\(literal)', expected: !, identifier, or 'end of string'")
      }
    }
  }

  mutating func parseRequirement() throws(KubeAPIError) -> LabelSelector.Requirement {
    var op: LabelSelector.Operator?
    var (token, literal) = consume(values: true)
    if token == .doesNotExist {
      op = .doesNotExist
      (token, literal) = consume(values: true)
    }
    guard token == .identifier else { throw fail("found '\(literal)', expected: identifier") }
    let key = literal
    let keyErrors = NameValidation.qualifiedName(key)
    if !keyErrors.isEmpty {
      throw fail(FieldError.invalid(.none, .string(key), keyErrors.joined(separator: "; ")).description)
    }
    let (next, _) = lookahead(values: true)
    if (next == .end || next == .comma) && op == nil { op = .exists }
    if let op, op == .exists || op == .doesNotExist {
      return try LabelSelector.Requirement(key: key, op: op, values: [])
    }
    let binary = try parseOperator()
    let values: [String]
    switch binary {
    case .in, .notIn: values = try parseValues()
    default: values = try parseExactValue()
    }
    // Upstream passes the values as a sorted set.
    return try LabelSelector.Requirement(key: key, op: binary, values: Array(Set(values)).sorted())
  }

  mutating func parseOperator() throws(KubeAPIError) -> LabelSelector.Operator {
    let (token, literal) = consume(values: false)
    switch token {
    case .in: return .in
    case .equals: return .equals
    case .doubleEquals: return .doubleEquals
    case .greaterThan: return .greaterThan
    case .lessThan: return .lessThan
    case .notIn: return .notIn
    case .notEquals: return .notEquals
    default: throw fail("found '\(literal)', expected: in, notin, =, ==, !=, gt, lt")
    }
  }

  mutating func parseValues() throws(KubeAPIError) -> [String] {
    let (open, openLiteral) = consume(values: true)
    guard open == .openPar else { throw fail("found '\(openLiteral)' expected: '('") }
    let (token, literal) = lookahead(values: true)
    switch token {
    case .identifier, .comma:
      let values = try parseIdentifierList()
      if consume(values: true).0 != .closedPar { throw fail("found '\(literal)', expected: ')'") }
      return values
    case .closedPar:
      _ = consume(values: true)
      return [""]
    default:
      throw fail("found '\(literal)', expected: ',', ')' or identifier")
    }
  }

  mutating func parseIdentifierList() throws(KubeAPIError) -> [String] {
    var values: [String] = []
    while true {
      let (token, literal) = consume(values: true)
      switch token {
      case .identifier:
        values.append(literal)
        let (next, nextLiteral) = lookahead(values: true)
        switch next {
        case .comma: continue
        case .closedPar: return values
        default: throw fail("found '\(nextLiteral)', expected: ',' or ')'")
        }
      case .comma:
        if values.isEmpty { values.append("") }
        let (next, _) = lookahead(values: true)
        if next == .closedPar {
          values.append("")
          return values
        }
        if next == .comma {
          _ = consume(values: true)
          values.append("")
        }
      default:
        throw fail("found '\(literal)', expected: ',', or identifier")
      }
    }
  }

  mutating func parseExactValue() throws(KubeAPIError) -> [String] {
    let (next, _) = lookahead(values: true)
    if next == .end || next == .comma { return [""] }
    let (token, literal) = consume(values: true)
    guard token == .identifier else { throw fail("found '\(literal)', expected: identifier") }
    return [literal]
  }
}
