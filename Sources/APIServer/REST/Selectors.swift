/// A label selector in upstream's string syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
struct LabelSelector: Sendable {
  enum Operator: Sendable { case equals, notEquals, isIn, notIn, exists, doesNotExist }
  struct Requirement: Sendable {
    var key: String
    var op: Operator
    var values: [String]
  }
  var requirements: [Requirement] = []

  struct ParseError: Error, CustomStringConvertible {
    var description: String
  }

  init(parsing text: String) throws {
    var rest = Substring(text.trimmingCharacters(in: .whitespaces))
    while !rest.isEmpty {
      // One requirement ends at a comma outside parentheses.
      var depth = 0
      var end = rest.endIndex
      for index in rest.indices {
        if rest[index] == "(" {
          depth += 1
        } else if rest[index] == ")" {
          depth -= 1
        } else if rest[index] == ",", depth == 0 {
          end = index
          break
        }
      }
      let part = rest[..<end].trimmingCharacters(in: .whitespaces)
      rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
      requirements.append(try LabelSelector.requirement(part))
    }
  }

  private static func requirement(_ part: String) throws -> Requirement {
    if part.hasPrefix("!") {
      return Requirement(
        key: String(part.dropFirst()).trimmingCharacters(in: .whitespaces), op: .doesNotExist, values: [])
    }
    for (token, op) in [(" notin ", Operator.notIn), (" in ", .isIn)] {
      if let range = part.range(of: token) {
        let key = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        var list = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard list.hasPrefix("("), list.hasSuffix(")") else {
          throw ParseError(description: "unable to parse requirement: found '\(list)', expected: '('")
        }
        list = String(list.dropFirst().dropLast())
        let values = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return Requirement(key: key, op: op, values: values)
      }
    }
    for (token, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals)] {
      if let range = part.range(of: token) {
        let key = part[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let value = part[range.upperBound...].trimmingCharacters(in: .whitespaces)
        if key.isEmpty {
          throw ParseError(description: "unable to parse requirement: found '\(token)', expected: identifier")
        }
        return Requirement(key: key, op: op, values: [value])
      }
    }
    guard !part.isEmpty, !part.contains(" ") else {
      throw ParseError(description: "unable to parse requirement: found '\(part)', expected: identifier")
    }
    return Requirement(key: part, op: .exists, values: [])
  }

  func matches(_ labels: [String: String]) -> Bool {
    requirements.allSatisfy { requirement in
      let value = labels[requirement.key]
      switch requirement.op {
      case .equals: return value == requirement.values.first
      case .notEquals: return value != requirement.values.first
      case .isIn: return value.map(requirement.values.contains) ?? false
      case .notIn: return value.map { !requirement.values.contains($0) } ?? true
      case .exists: return value != nil
      case .doesNotExist: return value == nil
      }
    }
  }
}

/// A field selector: `metadata.name=x,spec.nodeName!=y`.
struct FieldSelector: Sendable {
  struct Requirement: Sendable {
    var field: String
    var equals: Bool
    var value: String
  }
  var requirements: [Requirement] = []

  init(parsing text: String) throws {
    for part in text.split(separator: ",") {
      let part = part.trimmingCharacters(in: .whitespaces)
      if let range = part.range(of: "!=") {
        requirements.append(
          .init(field: String(part[..<range.lowerBound]), equals: false, value: String(part[range.upperBound...])))
      } else if let range = part.range(of: "==") ?? part.range(of: "=") {
        requirements.append(
          .init(field: String(part[..<range.lowerBound]), equals: true, value: String(part[range.upperBound...])))
      } else {
        throw LabelSelector.ParseError(description: "invalid selector: '\(text)'; can't understand '\(part)'")
      }
    }
  }

  func matches(_ fields: [String: String]) -> Bool {
    requirements.allSatisfy { ($0.equals) == ((fields[$0.field] ?? "") == $0.value) }
  }
}
