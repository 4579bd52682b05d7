extension Quantity {
  static let formatWrong = KubeAPIError(
    .quantity, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
  static let numericError = KubeAPIError(.quantity, "unable to parse numeric part of quantity")
  static let suffixError = KubeAPIError(.quantity, "unable to parse quantity's suffix")

  private static let decimalSuffixes: [String: Int32] = [
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
  ]
  private static let binarySuffixes: [String: Int32] = [
    "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60,
  ]

  /// Parses upstream's quantity syntax, with its rounding (up to nano precision), BinarySI cap
  /// at 2^63-1, and error messages.
  public init(parsing text: String) throws(KubeAPIError) {
    let s = Array(text.utf8)
    guard !s.isEmpty else { throw Self.formatWrong }
    if text == "0" {
      self.init(mantissa: 0, exponent: 0, format: .decimalSI, original: text)
      return
    }
    let (positive, num, denom, suffix) = try Self.split(s)
    let base: Int
    let exponent: Int32
    let format: Format
    if let e = Self.decimalSuffixes[suffix] {
      (base, exponent, format) = (10, e, .decimalSI)
    } else if let e = Self.binarySuffixes[suffix] {
      (base, exponent, format) = (2, e, .binarySI)
    } else if suffix.utf8.count > 1, suffix.first == "e" || suffix.first == "E",
      let e = Int64(suffix.dropFirst()), let e32 = Int32(exactly: e)
    {
      (base, exponent, format) = (10, e32, .decimalExponent)
    } else {
      throw Self.suffixError
    }
    let shifted = num + denom
    var quantity: Quantity
    if base == 10 {
      quantity = try Self.decimal(digits: shifted, lastDigitExponent: exponent - Int32(denom.count))
      quantity.format = format
      if shifted.count <= 18 && exponent - Int32(denom.count) >= -9 {
        let scale = exponent - Int32(denom.count)
        if scale % 3 == 0 && !shifted.hasSuffix("000") && shifted.first != "0" { quantity.original = text }
      }
    } else {
      quantity = try Self.binary(digits: shifted, decimals: denom.count, exponent: exponent)
      let precision = 15 - num.count - Int(Float(exponent) * 3 / 10) - 1
      if denom.isEmpty && precision >= 0, let value = Int64(num), value & 7 != 0,
        value.multipliedReportingOverflow(by: 1 << Int64(exponent)).overflow == false
      {
        quantity.original = text
      }
      // Upstream caps BinarySI at 2^63-1 and shows non-zero values below one as DecimalSI.
      let cap = Quantity(Int64.max)
      if quantity > cap { quantity = Quantity(mantissa: cap.mantissa, exponent: 0, format: .binarySI) }
      if quantity.mantissa != 0 && quantity < Quantity(1) { quantity.format = .decimalSI }
    }
    if !positive { quantity.mantissa = -quantity.mantissa }
    self = quantity
  }

  /// Upstream's parseQuantityString: sign, numerator (leading zeros dropped), fraction, suffix.
  private static func split(_ s: [UInt8]) throws(KubeAPIError) -> (Bool, String, String, String) {
    var pos = 0
    var positive = true
    if s[0] == UInt8(ascii: "-") {
      positive = false
      pos = 1
    } else if s[0] == UInt8(ascii: "+") {
      pos = 1
    }
    while pos < s.count && s[pos] == UInt8(ascii: "0") { pos += 1 }
    if pos >= s.count { return (positive, "0", "", "") }
    func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    var start = pos
    while pos < s.count && isDigit(s[pos]) { pos += 1 }
    var num = String(decoding: s[start..<pos], as: UTF8.self)
    if num.isEmpty { num = "0" }
    var denom = ""
    if pos < s.count && s[pos] == UInt8(ascii: ".") {
      pos += 1
      start = pos
      while pos < s.count && isDigit(s[pos]) { pos += 1 }
      denom = String(decoding: s[start..<pos], as: UTF8.self)
    }
    let suffixStart = pos
    let suffixLetters = Set("eEinumkKMGTP".utf8)
    while pos < s.count && suffixLetters.contains(s[pos]) { pos += 1 }
    if pos < s.count && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) { pos += 1 }
    while pos < s.count && isDigit(s[pos]) { pos += 1 }
    guard pos == s.count else { throw formatWrong }
    return (positive, num, denom, String(decoding: s[suffixStart...], as: UTF8.self))
  }

  /// digits × 10^lastDigitExponent, rounded up to nano precision.
  private static func decimal(digits: String, lastDigitExponent: Int32) throws(KubeAPIError) -> Quantity {
    var kept = Substring(digits)
    var roundUp = false
    var e = lastDigitExponent
    if e < -9 {
      let drop = Int(-9 - e)
      let dropped = kept.suffix(drop)
      roundUp = dropped.contains { $0 != "0" }
      kept = kept.dropLast(min(drop, kept.count))
      e = -9
    }
    var mantissa = try parseDigits(kept)
    if roundUp { mantissa += 1 }
    return Quantity(mantissa: mantissa, exponent: e, format: .decimalSI)
  }

  /// digits / 10^decimals × 2^exponent, rounded up to nano precision.
  private static func binary(digits: String, decimals: Int, exponent: Int32) throws(KubeAPIError) -> Quantity {
    let value = try parseDigits(Substring(digits))
    let (scaled, overflow) = value.multipliedReportingOverflow(by: Int128(1) << Int128(exponent))
    guard !overflow else { throw numericError }
    var e = -Int32(decimals)
    var mantissa = scaled
    if e < -9 {
      (mantissa, _) = rescale(scaled, from: e, to: -9)
      e = -9
    }
    return Quantity(mantissa: mantissa, exponent: e, format: .binarySI)
  }

  private static func parseDigits(_ digits: Substring) throws(KubeAPIError) -> Int128 {
    var value: Int128 = 0
    for c in digits.utf8 {
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (next, o2) = times10.addingReportingOverflow(Int128(c - UInt8(ascii: "0")))
      guard !o1 && !o2 else { throw numericError }
      value = next
    }
    return value
  }

  // MARK: - Canonical form

  /// Upstream's CanonicalizeBytes: the shortest form in the quantity's format.
  public var canonical: String {
    if isZero { return "0" }
    var format = self.format
    var rounded = mantissa
    if format == .binarySI {
      if self > Quantity(-1024) && self < Quantity(1024) {
        format = .decimalSI
      } else {
        let (integer, exact) = Self.rescale(mantissa, from: exponent, to: 0)
        if exact { rounded = integer } else { format = .decimalSI }
      }
    }
    if format == .binarySI {
      var amount = rounded
      var power = 0
      while amount % 1024 == 0 && power < 6 {
        amount /= 1024
        power += 1
      }
      return String(amount) + ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power]
    }
    var (amount, e) = normalized
    let shift: Int32 = e % 3 == 1 || e % 3 == -2 ? 1 : (e % 3 == 2 || e % 3 == -1 ? 2 : 0)
    let (scaled, overflow) = amount.multipliedReportingOverflow(by: Self.pow10(Int(shift)))
    if !overflow {
      amount = scaled
      e -= shift
    }
    let number = String(amount)
    if format == .decimalSI, let suffix = Self.decimalSuffixes.first(where: { $0.value == e })?.key {
      return number + suffix
    }
    return e == 0 ? number : number + "e\(e)"
  }
}
