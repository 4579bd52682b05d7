import Foundation

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`, `0o`, `0b` or a leading `0`
/// (octal) prefix, else decimal. go-yaml v2 types plain YAML scalars with it.
func goParseInt(_ text: String) -> Int64? {
  var s = Substring(text)
  var negative = false
  if s.first == "+" || s.first == "-" {
    negative = s.first == "-"
    s = s.dropFirst()
  }
  guard let magnitude = goParseUInt(String(s)) else { return nil }
  if negative {
    guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
    return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
  }
  return Int64(exactly: magnitude)
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign accepted).
func goParseUInt(_ text: String) -> UInt64? {
  var s = Substring(text)
  var radix = 10
  if s.count > 1 && s.first == "0" {
    let second = s[s.index(after: s.startIndex)]
    switch second {
    case "x", "X": radix = 16; s = s.dropFirst(2)
    case "o", "O": radix = 8; s = s.dropFirst(2)
    case "b", "B": radix = 2; s = s.dropFirst(2)
    default: radix = 8; s = s.dropFirst(1)
    }
  }
  guard !s.isEmpty, s.allSatisfy({ $0.isHexDigit }) else { return nil }
  return UInt64(s, radix: radix)
}

/// True for go-yaml v2's float syntax: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
func isYAMLFloat(_ text: String) -> Bool {
  var bytes = Substring(text).utf8[...]
  func digits() -> Int {
    var n = 0
    while let c = bytes.first, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
      bytes = bytes.dropFirst()
      n += 1
    }
    return n
  }
  if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
  if bytes.first == UInt8(ascii: ".") {
    bytes = bytes.dropFirst()
    guard digits() > 0 else { return false }
  } else {
    guard digits() > 0 else { return false }
    if bytes.first == UInt8(ascii: ".") {
      bytes = bytes.dropFirst()
      _ = digits()
    }
  }
  if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
    bytes = bytes.dropFirst()
    if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    guard digits() > 0 else { return false }
  }
  return bytes.isEmpty
}

/// Go's `strconv.ParseFloat` for decimal text; out-of-range values are failures, as in Go.
func goParseFloat(_ text: String) -> Double? {
  guard isYAMLFloat(text), let value = Double(text), value.isFinite else { return nil }
  return value
}

/// Go's `strconv.FormatFloat(v, 'g', -1, 32)`, which sigs.k8s.io/yaml uses for float map keys.
func goFloat32String(_ value: Double) -> String { goFormatG(value, float32: true) }

/// Go's `strconv.FormatFloat(v, 'g', -1, 64|32)`: shortest digits, exponent form (`1e+06`)
/// when the decimal exponent is below -4 or at least 6.
func goFormatG(_ value: Double, float32: Bool) -> String {
  if value.isNaN { return "NaN" }
  if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
  if value == 0 { return value.sign == .minus ? "-0" : "0" }
  let text = float32 ? Float(value).magnitude.description : value.magnitude.description
  let (digits, point) = GoFloat.digits(ofDescription: text)
  let sign = value < 0 ? "-" : ""
  let exp = point - 1
  if exp < -4 || exp >= 6 {
    var out = sign + String(digits.first!)
    if digits.count > 1 { out += "." + digits.dropFirst() }
    let e = String(abs(exp))
    return out + "e" + (exp < 0 ? "-" : "+") + (e.count < 2 ? "0" + e : e)
  }
  if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
  if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
  return sign + digits.prefix(point) + "." + digits.dropFirst(point)
}
