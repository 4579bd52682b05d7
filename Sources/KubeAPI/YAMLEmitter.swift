/// JSON values as block YAML in the layout `kubectl get -o yaml` prints (sigs.k8s.io/yaml over
/// go-yaml v2): two-space indent, sequences flush with their key, keys in go-yaml's natural
/// order, strings quoted only when they would otherwise read as another type.
extension JSONValue {
  public func yamlString() throws(KubeAPIError) -> String {
    var out = ""
    try YAMLEmitter.emit(self, indent: 0, into: &out, inline: false)
    return out
  }
}

enum YAMLEmitter {
  static func emit(_ value: JSONValue, indent: Int, into out: inout String, inline: Bool) throws(KubeAPIError) {
    let pad = String(repeating: " ", count: indent)
    switch value {
    case .object(let members) where !members.isEmpty:
      var first = true
      for key in members.keys.sorted(by: naturalLess) {
        if !(first && inline) { out += pad }
        first = false
        out += scalarText(key, indent: indent) + ":"
        let child = members[key]!
        switch child {
        case .object(let m) where !m.isEmpty:
          out += "\n"
          try emit(child, indent: indent + 2, into: &out, inline: false)
        case .array(let a) where !a.isEmpty:
          out += "\n"
          try emit(child, indent: indent, into: &out, inline: false)
        default:
          out += " " + (try scalar(child, indent: indent + 2)) + "\n"
        }
      }
    case .array(let items) where !items.isEmpty:
      var first = true
      for item in items {
        if !(first && inline) { out += pad }
        first = false
        out += "- "
        switch item {
        case .object(let m) where !m.isEmpty:
          try emit(item, indent: indent + 2, into: &out, inline: true)
        case .array(let a) where !a.isEmpty:
          try emit(item, indent: indent + 2, into: &out, inline: true)
        default:
          out += (try scalar(item, indent: indent + 2)) + "\n"
        }
      }
    default:
      out += (try scalar(value, indent: indent)) + "\n"
    }
  }

  private static func scalar(_ value: JSONValue, indent: Int) throws(KubeAPIError) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d):
      guard d.isFinite else { return d.isNaN ? ".nan" : (d < 0 ? "-.inf" : ".inf") }
      return goFormatG(d, float32: false)
    case .string(let s): return scalarText(s, indent: indent)
    case .array: return "[]"
    case .object: return "{}"
    }
  }

  /// A string as a plain, quoted or literal block scalar.
  static func scalarText(_ s: String, indent: Int) -> String {
    let needsEscapes = s.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }
    if s.contains("\n") && !needsEscapes && !s.hasPrefix(" ") && !s.contains(" \n") && !s.contains("\t") {
      var body = Substring(s)
      var chomp = "-"
      if body.hasSuffix("\n") {
        body = body.dropLast()
        chomp = body.hasSuffix("\n") ? "+" : ""
      }
      let pad = String(repeating: " ", count: indent)
      let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
      return "|" + chomp + "\n" + lines.joined(separator: "\n")
    }
    if needsEscapes || s.contains("\n") { return doubleQuoted(s) }
    if case .string = YAMLConverter.implicit(s), isBase60Float(s) == false {
      return plainAllowed(s) ? s : "'" + s.replacingAll("'", with: "''") + "'"
    }
    return doubleQuoted(s)
  }

  /// libyaml's block-context plain scalar rules, simplified to what matters for API data.
  private static func plainAllowed(_ s: String) -> Bool {
    guard let first = s.first, let last = s.last else { return false }
    if first == " " || last == " " || last == ":" { return false }
    if "#,[]{}&*!|>'\"%@`".contains(first) { return false }
    if first == "-" || first == "?" || first == ":" {
      if s.count == 1 || s.dropFirst().first == " " { return false }
    }
    if s.hasPrefix("---") || s.hasPrefix("...") { return false }
    if s.contains(": ") || s.contains(" #") || s.contains("\t") { return false }
    return s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0.value != 0xFEFF }
  }

  private static func isBase60Float(_ s: String) -> Bool {
    // go-yaml quotes sexagesimal-looking values such as 1:20 so YAML 1.1 readers keep them strings.
    guard let first = s.first, first.isNumber || first == "+" || first == "-" || first == "." else { return false }
    guard s.contains(":") else { return false }
    return s.allSatisfy { $0.isNumber || $0 == ":" || $0 == "." || $0 == "_" || $0 == "+" || $0 == "-" }
  }

  private static func doubleQuoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// go-yaml v2's key order: digit runs compare numerically, non-letters before letters.
  static func naturalLess(_ a: String, _ b: String) -> Bool {
    let ar = Array(a.unicodeScalars)
    let br = Array(b.unicodeScalars)
    var i = 0
    while i < ar.count && i < br.count {
      if ar[i] == br[i] {
        i += 1
        continue
      }
      let al = ar[i].properties.isAlphabetic
      let bl = br[i].properties.isAlphabetic
      if al && bl { return ar[i].value < br[i].value }
      if al || bl { return bl }
      var an: Int64 = 0
      var bn: Int64 = 0
      if ar[i] == "0" || br[i] == "0" {
        var j = i - 1
        while j >= 0 && isDigit(ar[j]) {
          if ar[j] != "0" {
            an = 1
            bn = 1
            break
          }
          j -= 1
        }
      }
      var ai = i
      while ai < ar.count && isDigit(ar[ai]) {
        an = an &* 10 &+ Int64(ar[ai].value - 48)
        ai += 1
      }
      var bi = i
      while bi < br.count && isDigit(br[bi]) {
        bn = bn &* 10 &+ Int64(br[bi].value - 48)
        bi += 1
      }
      if an != bn { return an < bn }
      if ai != bi { return ai < bi }
      return ar[i].value < br[i].value
    }
    return ar.count < br.count
  }

  private static func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }
}

extension String {
  fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
    return out
  }
}
