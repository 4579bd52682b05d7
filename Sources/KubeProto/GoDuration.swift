/// Go's `time.Duration` text form, which `metav1.Duration` uses in JSON ("1h0m0s", "1.5s", "300ms").
enum GoDuration {
  private static let second: UInt64 = 1_000_000_000

  /// The same text Go's `Duration.String` prints for `nanoseconds`.
  static func format(_ nanoseconds: Int64) -> String {
    if nanoseconds == 0 { return "0s" }
    let negative = nanoseconds < 0
    let magnitude = nanoseconds.magnitude
    var text: String
    if magnitude < second {
      let (unit, precision): (String, Int) =
        magnitude < 1_000 ? ("ns", 0) : magnitude < 1_000_000 ? ("\u{00B5}s", 3) : ("ms", 6)
      text = fraction(magnitude, precision: precision) + unit
    } else {
      let seconds = magnitude / second
      text = String(seconds % 60) + fraction(magnitude % second, precision: 9).dropFirst() + "s"
      let minutes = seconds / 60
      if minutes > 0 {
        text = String(minutes % 60) + "m" + text
        let hours = minutes / 60
        if hours > 0 { text = String(hours) + "h" + text }
      }
    }
    return negative ? "-" + text : text
  }

  /// `value / 10^precision` as "<int>[.<digits without trailing zeros>]"; for seconds the
  /// caller passes only the sub-second part and drops the leading "0".
  private static func fraction(_ value: UInt64, precision: Int) -> String {
    var scale: UInt64 = 1
    for _ in 0..<precision { scale *= 10 }
    let whole = value / scale
    var rest = value % scale
    guard rest > 0 else { return String(whole) }
    var digits = precision
    while rest % 10 == 0 {
      rest /= 10
      digits -= 1
    }
    let text = String(rest)
    return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
  }

  /// Nanoseconds of a Go duration string ("1h30m", "-1.5s", "500us", "0"), nil when malformed.
  static func parse(_ text: String) -> Int64? {
    var scalars = Array(text.unicodeScalars)[...]
    var negative = false
    if let sign = scalars.first, sign == "-" || sign == "+" {
      negative = sign == "-"
      scalars = scalars.dropFirst()
    }
    if scalars == ["0"] { return 0 }
    guard !scalars.isEmpty else { return nil }
    var total: UInt64 = 0
    while !scalars.isEmpty {
      var whole: UInt64 = 0
      var sawDigit = false
      while let digit = scalars.first.flatMap(asciiDigit) {
        let (times, overflow) = whole.multipliedReportingOverflow(by: 10)
        guard !overflow else { return nil }
        whole = times + digit
        sawDigit = true
        scalars = scalars.dropFirst()
      }
      var fractionValue: UInt64 = 0
      var fractionScale: UInt64 = 1
      if scalars.first == "." {
        scalars = scalars.dropFirst()
        while let digit = scalars.first.flatMap(asciiDigit) {
          if fractionScale < 1_000_000_000_000_000 {
            fractionValue = fractionValue * 10 + digit
            fractionScale *= 10
          }
          sawDigit = true
          scalars = scalars.dropFirst()
        }
      }
      guard sawDigit else { return nil }
      var unitText = ""
      while let scalar = scalars.first, scalar != ".", asciiDigit(scalar) == nil {
        unitText.unicodeScalars.append(scalar)
        scalars = scalars.dropFirst()
      }
      guard let unit = unit(unitText) else { return nil }
      let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: unit)
      guard !overflow else { return nil }
      let fractionNanos = UInt64((Double(fractionValue) / Double(fractionScale) * Double(unit)).rounded(.down))
      total += wholeNanos + fractionNanos
      guard total <= UInt64(Int64.max) + (negative ? 1 : 0) else { return nil }
    }
    return negative ? Int64(truncatingIfNeeded: 0 &- total) : Int64(total)
  }

  private static func asciiDigit(_ scalar: Unicode.Scalar) -> UInt64? {
    scalar.value >= 48 && scalar.value <= 57 ? UInt64(scalar.value - 48) : nil
  }

  private static func unit(_ text: String) -> UInt64? {
    switch text {
    case "ns": 1
    case "us", "\u{00B5}s", "\u{03BC}s": 1_000
    case "ms": 1_000_000
    case "s": second
    case "m": 60 * second
    case "h": 3600 * second
    default: nil
    }
  }
}
