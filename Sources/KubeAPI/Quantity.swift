/// A resource quantity (`100m`, `1Gi`, `1.5`, `2k`, `129e6`) as upstream's resource.Quantity:
/// exact decimal value (mantissa × 10^exponent, never below nano precision), the suffix style
/// it was written in, and upstream's canonical spelling (`1.5Gi` prints as `1536Mi`).
public struct Quantity: Sendable, CustomStringConvertible {
  /// How the quantity prints: with binary suffixes, SI suffixes, or a decimal exponent.
  public enum Format: String, Sendable, Hashable {
    case decimalExponent = "DecimalExponent"
    case binarySI = "BinarySI"
    case decimalSI = "DecimalSI"
  }

  /// value = mantissa × 10^exponent.
  var mantissa: Int128
  var exponent: Int32
  public var format: Format
  /// The text it was parsed from when that text is already canonical (upstream reuses it too).
  var original: String?

  init(mantissa: Int128, exponent: Int32, format: Format, original: String? = nil) {
    self.mantissa = mantissa
    self.exponent = exponent
    self.format = format
    self.original = original
  }

  /// `value` units (upstream's NewQuantity).
  public init(_ value: Int64, format: Format = .decimalSI) {
    self.init(mantissa: Int128(value), exponent: 0, format: format)
  }

  /// `value` thousandths (upstream's NewMilliQuantity).
  public init(milli value: Int64, format: Format = .decimalSI) {
    self.init(mantissa: Int128(value), exponent: -3, format: format)
  }

  /// `value` × 10^scale in DecimalSI (upstream's NewScaledQuantity).
  public init(_ value: Int64, scale: Int32) {
    self.init(mantissa: Int128(value), exponent: scale, format: .decimalSI)
  }

  public static let zero = Quantity(0)

  public var isZero: Bool { mantissa == 0 }
  public var sign: Int { mantissa == 0 ? 0 : (mantissa < 0 ? -1 : 1) }

  /// The value rounded up (away from zero) to a whole number, like upstream's Value().
  public var value: Int64 { scaledValue(0) }

  /// The value in thousandths, rounded up (away from zero), like upstream's MilliValue().
  public var milliValue: Int64 { scaledValue(-3) }

  /// ceil(value / 10^scale) away from zero, saturating at the Int64 range.
  public func scaledValue(_ scale: Int32) -> Int64 {
    let (rounded, _) = Self.rescale(mantissa, from: exponent, to: scale)
    return Int64(clamping: rounded)
  }

  /// An approximate Double, for display and ratios (not for comparisons).
  public var doubleValue: Double {
    var result = Double(mantissa)
    if exponent > 0 {
      for _ in 0..<exponent { result *= 10 }
    } else if exponent < 0 {
      for _ in 0..<(-exponent) { result /= 10 }
    }
    return result
  }

  public var description: String { original ?? canonical }

  // MARK: - Arithmetic

  /// Sum; a zero left-hand side takes the right-hand side's format, as upstream's Add.
  public static func + (a: Quantity, b: Quantity) -> Quantity {
    let (x, y, e) = align(a, b)
    return Quantity(mantissa: x &+ y, exponent: e, format: a.isZero ? b.format : a.format)
  }

  public static func - (a: Quantity, b: Quantity) -> Quantity {
    let (x, y, e) = align(a, b)
    return Quantity(mantissa: x &- y, exponent: e, format: a.isZero ? b.format : a.format)
  }

  public static prefix func - (a: Quantity) -> Quantity {
    Quantity(mantissa: -a.mantissa, exponent: a.exponent, format: a.format)
  }

  public static func += (a: inout Quantity, b: Quantity) { a = a + b }
  public static func -= (a: inout Quantity, b: Quantity) { a = a - b }

  /// The quantity multiplied by a whole number.
  public func multiplied(by factor: Int64) -> Quantity {
    Quantity(mantissa: mantissa &* Int128(factor), exponent: exponent, format: format)
  }

  /// Both mantissas at the smaller exponent.
  private static func align(_ a: Quantity, _ b: Quantity) -> (Int128, Int128, Int32) {
    if a.exponent == b.exponent { return (a.mantissa, b.mantissa, a.exponent) }
    if a.exponent > b.exponent {
      return (a.mantissa &* pow10(Int(a.exponent - b.exponent)), b.mantissa, b.exponent)
    }
    return (a.mantissa, b.mantissa &* pow10(Int(b.exponent - a.exponent)), a.exponent)
  }

  // MARK: - Helpers

  static let powersOf10: [Int128] = {
    var table: [Int128] = [1]
    for _ in 1...38 { table.append(table.last! * 10) }
    return table
  }()

  /// 10^n for 0...38; larger n saturate (callers only reach them for absurd exponents).
  static func pow10(_ n: Int) -> Int128 { n <= 38 ? powersOf10[max(0, n)] : Int128.max }

  /// `mantissa × 10^from` expressed at exponent `to`, rounded away from zero; whether it was exact.
  static func rescale(_ mantissa: Int128, from: Int32, to: Int32) -> (Int128, Bool) {
    if from == to || mantissa == 0 { return (mantissa, true) }
    if from > to {
      let (product, overflow) = mantissa.multipliedReportingOverflow(by: pow10(Int(from - to)))
      return overflow ? (mantissa < 0 ? Int128.min : Int128.max, false) : (product, true)
    }
    let shift = Int(to - from)
    guard shift <= 38 else { return (mantissa < 0 ? -1 : 1, false) }
    let (q, r) = mantissa.quotientAndRemainder(dividingBy: pow10(shift))
    if r == 0 { return (q, true) }
    return (mantissa < 0 ? q - 1 : q + 1, false)
  }

  /// The value with factors of ten moved into the exponent (for hashing and canonical output).
  var normalized: (mantissa: Int128, exponent: Int32) {
    var m = mantissa
    var e = exponent
    if m == 0 { return (0, 0) }
    while m % 10 == 0 {
      m /= 10
      e += 1
    }
    return (m, e)
  }
}

extension Quantity: Comparable, Hashable {
  /// Compares values exactly, whatever their formats or spellings.
  public static func == (a: Quantity, b: Quantity) -> Bool { compare(a, b) == 0 }
  public static func < (a: Quantity, b: Quantity) -> Bool { compare(a, b) < 0 }

  public func hash(into hasher: inout Hasher) {
    let n = normalized
    hasher.combine(n.mantissa)
    hasher.combine(n.exponent)
  }

  static func compare(_ a: Quantity, _ b: Quantity) -> Int {
    if a.sign != b.sign { return a.sign < b.sign ? -1 : 1 }
    if a.sign == 0 { return 0 }
    let x = a.normalized
    let y = b.normalized
    // Compare magnitudes through digit counts first so aligning cannot overflow.
    let ax = x.mantissa.magnitude
    let ay = y.mantissa.magnitude
    let dx = Int(x.exponent) + String(ax).count
    let dy = Int(y.exponent) + String(ay).count
    var magnitudeOrder: Int
    if dx != dy {
      magnitudeOrder = dx < dy ? -1 : 1
    } else {
      let e = min(x.exponent, y.exponent)
      let (mx, ox) = ax.multipliedReportingOverflow(by: UInt128(pow10(Int(x.exponent - e))))
      let (my, oy) = ay.multipliedReportingOverflow(by: UInt128(pow10(Int(y.exponent - e))))
      if ox || oy {
        // Only the scaled side can overflow, and then it is the larger one.
        magnitudeOrder = ox ? 1 : -1
      } else {
        magnitudeOrder = mx == my ? 0 : (mx < my ? -1 : 1)
      }
    }
    return a.sign > 0 ? magnitudeOrder : -magnitudeOrder
  }
}
