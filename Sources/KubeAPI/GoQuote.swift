/// Go's `strconv.Quote` (`%q`), used wherever upstream messages quote a user's value, so the
/// text kubectl shows is the same as a real API server's.
func goQuote(_ s: String) -> String {
  var out = "\""
  for scalar in s.unicodeScalars {
    if scalar == "\"" {
      out += "\\\""
    } else {
      out += goQuoteInner(scalar)
    }
  }
  out += "\""
  return out
}

/// One scalar as it appears inside a Go quoted string (without the quotes themselves).
func goQuoteInner(_ scalar: Unicode.Scalar) -> String {
  switch scalar.value {
  case 0x07: return "\\a"
  case 0x08: return "\\b"
  case 0x0C: return "\\f"
  case 0x0A: return "\\n"
  case 0x0D: return "\\r"
  case 0x09: return "\\t"
  case 0x0B: return "\\v"
  case 0x5C: return "\\\\"
  case 0x20..<0x7F: return String(Character(scalar))
  case 0..<0x20, 0x7F: return "\\x" + hex(scalar.value, width: 2)
  default:
    if isGoPrintable(scalar) { return String(Character(scalar)) }
    if scalar.value < 0x10000 { return "\\u" + hex(scalar.value, width: 4) }
    return "\\U" + hex(scalar.value, width: 8)
  }
}

/// Approximates Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols; no other spaces.
private func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.properties.generalCategory {
  case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
    .nonspacingMark, .spacingMark, .enclosingMark,
    .decimalNumber, .letterNumber, .otherNumber,
    .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
    .initialPunctuation, .finalPunctuation, .otherPunctuation,
    .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
    return true
  default:
    return false
  }
}

private func hex(_ value: UInt32, width: Int) -> String {
  let digits = String(value, radix: 16)
  return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
