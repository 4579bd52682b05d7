import Foundation
import Yams

/// YAML request bodies, converted as sigs.k8s.io/yaml's YAMLToJSON does (go-yaml v2 typing:
/// `yes`/`on`/`y` are booleans, `010` is octal, `1.0` becomes the integer 1, timestamps stay
/// strings), so a manifest means the same thing here as on a real API server.
extension JSONValue {
  /// The first YAML document (what a real API server reads from an `application/yaml` body);
  /// an empty document is `null`.
  public static func parseYAML(_ text: String) throws(KubeAPIError) -> JSONValue {
    try parseYAMLReportingDuplicates(text).value
  }

  /// The first document plus the paths of repeated mapping keys (for strict field validation).
  public static func parseYAMLReportingDuplicates(_ text: String) throws(KubeAPIError) -> (
    value: JSONValue, duplicates: [String]
  ) {
    let node: Node?
    do {
      node = try Parser(yaml: text, resolver: .basic).nextRoot()
    } catch {
      throw yamlError(error)
    }
    guard let node else { return (.null, []) }
    var converter = YAMLConverter(budget: text.utf8.count * 4 + 10_000)
    let value = try converter.convert(node, path: "")
    return (value, converter.duplicates)
  }

  /// `parseYAML` for a request body's bytes (invalid UTF-8 is repaired to U+FFFD).
  public static func parseYAML(_ bytes: [UInt8]) throws(KubeAPIError) -> JSONValue {
    try parseYAML(String(decoding: bytes, as: UTF8.self))
  }

  /// Every non-empty document of a multi-document stream (`---` separated), as kubectl reads files.
  public static func parseYAMLDocuments(_ text: String) throws(KubeAPIError) -> [JSONValue] {
    var documents: [JSONValue] = []
    do {
      let parser = try Parser(yaml: text, resolver: .basic)
      var converter = YAMLConverter(budget: text.utf8.count * 4 + 10_000)
      while let node = try parser.nextRoot() {
        let value = try converter.convert(node, path: "")
        if !value.isNull { documents.append(value) }
      }
    } catch let error as KubeAPIError {
      throw error
    } catch {
      throw yamlError(error)
    }
    return documents
  }

  private static func yamlError(_ error: any Error) -> KubeAPIError {
    guard let error = error as? YamlError else {
      return KubeAPIError(.yaml, "error converting YAML to JSON: yaml: \(error)")
    }
    let message: String
    switch error {
    case .scanner(let context, let problem, let mark, _):
      message = goYAMLLine(mark.line, context: context) + problem
    case .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
      message = goYAMLLine(mark.line - 1, context: context) + problem
    case .reader(let problem, let offset, _, _):
      message = problem + (offset.map { " at offset \($0)" } ?? "")
    default:
      message = "\(error)"
    }
    return KubeAPIError(.yaml, "error converting YAML to JSON: yaml: " + message)
  }

  /// go-yaml's `line N: ` prefix (it counts parser errors from zero, scanner errors from one).
  private static func goYAMLLine(_ line: Int, context: YamlError.Context?) -> String {
    if line > 0 { return "line \(line): " }
    if let context, context.mark.line - 1 > 0 { return "line \(context.mark.line - 1): " }
    return ""
  }
}

/// Walks a Yams node tree and applies go-yaml v2's implicit typing and merge keys.
struct YAMLConverter {
  var budget: Int
  var duplicates: [String] = []

  private static let strTag = "tag:yaml.org,2002:str"
  private static let binaryTag = "tag:yaml.org,2002:binary"
  private static let mergeTag = "tag:yaml.org,2002:merge"

  private static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
  private static let falseWords: Set<String> = [
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
  ]
  private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]

  mutating func convert(_ node: Node, path: String) throws(KubeAPIError) -> JSONValue {
    budget -= 1
    if budget < 0 {
      throw KubeAPIError(.yaml, "error converting YAML to JSON: yaml: document contains excessive aliasing")
    }
    switch node {
    case .scalar(let scalar):
      return try Self.scalar(scalar)
    case .sequence(let sequence):
      var items: [JSONValue] = []
      items.reserveCapacity(sequence.count)
      for (i, child) in sequence.enumerated() { items.append(try convert(child, path: path + "[\(i)]")) }
      return .array(items)
    case .mapping(let mapping):
      var members: [String: JSONValue] = [:]
      for (keyNode, valueNode) in mapping {
        if case .scalar(let k) = keyNode, k.string == "<<", k.style == .plain || k.style == .any,
          k.tag.description.isEmpty || k.tag.description == Self.mergeTag
        {
          try merge(valueNode, into: &members, path: path)
          continue
        }
        let key = try Self.key(keyNode)
        if members[key] != nil { duplicates.append(path + "." + key) }
        members[key] = try convert(valueNode, path: path + "." + key)
      }
      return .object(members)
    }
  }

  /// `<<: *base` or `<<: [*a, *b]` (earlier maps win), as go-yaml v2 merges.
  private mutating func merge(_ node: Node, into members: inout [String: JSONValue], path: String)
    throws(KubeAPIError)
  {
    let failWantMap = KubeAPIError(
      .yaml, "error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value")
    switch node {
    case .mapping:
      guard case .object(let merged) = try convert(node, path: path) else { throw failWantMap }
      members.merge(merged) { _, new in new }
    case .sequence(let sequence):
      for child in sequence.reversed() {
        guard case .mapping = child, case .object(let merged) = try convert(child, path: path) else {
          throw failWantMap
        }
        members.merge(merged) { _, new in new }
      }
    default:
      throw failWantMap
    }
  }

  /// Map keys become strings the way sigs.k8s.io/yaml converts them.
  private static func key(_ node: Node) throws(KubeAPIError) -> String {
    guard case .scalar(let scalar) = node else {
      throw KubeAPIError(.yaml, "error converting YAML to JSON: yaml: invalid map key: a non-scalar key")
    }
    switch try resolve(scalar) {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .bool(let b): return b ? "true" : "false"
    case .double(let d): return goFloat32String(d)
    case .null: throw KubeAPIError(.yaml, "error converting YAML to JSON: unsupported map key of type: <nil>")
    default: return scalar.string
    }
  }

  private static func scalar(_ scalar: Node.Scalar) throws(KubeAPIError) -> JSONValue {
    let value = try resolve(scalar)
    guard case .double(let d) = value else { return value }
    // YAMLToJSON marshals the float with Go's JSON rules and the API server reads that text back.
    guard d.isFinite else {
      throw KubeAPIError(
        .yaml, "error converting YAML to JSON: json: unsupported value: \(d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf"))")
    }
    return (try? JSONValue.parse(GoFloat.format(d))) ?? value
  }

  /// go-yaml v2's `resolve` for a scalar, honouring explicit `!!str`/`!!int`/… tags and quoting.
  static func resolve(_ scalar: Node.Scalar) throws(KubeAPIError) -> JSONValue {
    let text = scalar.string
    let tag = scalar.tag.description
    let quoted = scalar.style != .plain && scalar.style != .any
    if tag.isEmpty && quoted { return .string(text) }
    if tag == strTag || tag == binaryTag || tag == "!" { return .string(text) }
    let resolvable = tag.isEmpty || tag.hasPrefix("tag:yaml.org,2002:")
    guard resolvable else { return .string(text) }
    let resolved = implicit(text)
    switch tag {
    case "", "tag:yaml.org,2002:timestamp": return resolved
    case "tag:yaml.org,2002:int": if case .int = resolved { return resolved }
    case "tag:yaml.org,2002:float":
      if case .double = resolved { return resolved }
      if case .int(let i) = resolved { return .double(Double(i)) }
    case "tag:yaml.org,2002:bool": if case .bool = resolved { return resolved }
    case "tag:yaml.org,2002:null": if case .null = resolved { return resolved }
    default: return resolved
    }
    throw KubeAPIError(
      .yaml,
      "error converting YAML to JSON: yaml: cannot decode \(shortTag(of: resolved)) `\(text)` as a !!\(tag.dropFirst(18))"
    )
  }

  private static func shortTag(of value: JSONValue) -> String {
    switch value {
    case .null: return "!!null"
    case .bool: return "!!bool"
    case .int: return "!!int"
    case .double: return "!!float"
    default: return "!!str"
    }
  }

  /// Implicit typing of a plain scalar (go-yaml v2 `resolve` with an empty tag).
  static func implicit(_ text: String) -> JSONValue {
    if nullWords.contains(text) { return .null }
    guard let first = text.utf8.first else { return .null }
    switch first {
    case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
      UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
      if trueWords.contains(text) { return .bool(true) }
      if falseWords.contains(text) { return .bool(false) }
      return .string(text)
    case UInt8(ascii: "."):
      switch text {
      case ".nan", ".NaN", ".NAN": return .double(.nan)
      case ".inf", ".Inf", ".INF": return .double(.infinity)
      default: return goParseFloat(text).map { .double($0) } ?? .string(text)
      }
    case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      switch text {
      case "+.inf", "+.Inf", "+.INF": return .double(.infinity)
      case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
      default: break
      }
      let plain = text.replacingOccurrences(of: "_", with: "")
      if let i = goParseInt(plain) { return .int(i) }
      if let u = goParseUInt(plain) { return .double(Double(u)) }
      if isYAMLFloat(plain), let d = goParseFloat(plain) { return .double(d) }
      if plain.hasPrefix("0b"), let i = Int64(plain.dropFirst(2), radix: 2) { return .int(i) }
      if plain.hasPrefix("-0b"), let i = Int64("-" + plain.dropFirst(3), radix: 2) { return .int(i) }
      return .string(text)
    default:
      return .string(text)
    }
  }
}
