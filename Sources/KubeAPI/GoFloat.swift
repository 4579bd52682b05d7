/// Float formatting as Go's encoding/json does it: the shortest digits that round-trip, in plain
/// decimal (`0.000001`, `100000000000000000000`) unless the magnitude is below 1e-6 or at least
/// 1e21, then exponent form with Go's exponent spelling (`1e-7`, `1e+21`, `1.5e-10`).
enum GoFloat {
  static func format(_ value: Double) -> String {
    if value == 0 { return value.sign == .minus ? "-0" : "0" }
    let (negative, digits, point) = shortestDigits(value)
    let magnitude = value.magnitude
    var out = negative ? "-" : ""
    if magnitude < 1e-6 || magnitude >= 1e21 {
      out.append(digits.first!)
      if digits.count > 1 {
        out.append(".")
        out.append(contentsOf: digits.dropFirst())
      }
      let exponent = point - 1
      out.append("e")
      out.append(exponent < 0 ? "-" : "+")
      let text = String(exponent.magnitude)
      // strconv writes at least two exponent digits; encoding/json trims `e-07` to `e-7` only.
      if text.count < 2 && exponent >= 0 { out.append("0") }
      out.append(text)
      return out
    }
    if point <= 0 {
      out.append("0.")
      out.append(String(repeating: "0", count: -point))
      out.append(digits)
    } else if point >= digits.count {
      out.append(digits)
      out.append(String(repeating: "0", count: point - digits.count))
    } else {
      out.append(contentsOf: digits.prefix(point))
      out.append(".")
      out.append(contentsOf: digits.dropFirst(point))
    }
    return out
  }

  /// The shortest round-trip decimal digits of `value` (no leading or trailing zeros) and the
  /// position of the decimal point relative to them: value = 0.DIGITS × 10^point.
  static func shortestDigits(_ value: Double) -> (negative: Bool, digits: String, point: Int) {
    // Swift's description already yields the shortest round-trip digits; only the layout differs.
    let (digits, point) = digits(ofDescription: value.magnitude.description)
    return (value.sign == .minus, digits, point)
  }

  /// Digits and point position from a Swift float description (`123.45`, `1e-07`, `1.5e+20`).
  static func digits(ofDescription description: String) -> (digits: String, point: Int) {
    var text = Substring(description)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      exponent = Int(text[text.index(after: e)...]) ?? 0
      text = text[..<e]
    }
    var digits = ""
    var point = 0
    var seenPoint = false
    for ch in text {
      if ch == "." {
        seenPoint = true
      } else {
        digits.append(ch)
        if !seenPoint { point += 1 }
      }
    }
    while digits.first == "0" {
      digits.removeFirst()
      point -= 1
    }
    while digits.last == "0" { digits.removeLast() }
    return (digits, point + exponent)
  }
}
