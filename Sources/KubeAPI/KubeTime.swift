import SkiffCore

/// A point in time as the API carries it: metav1.Time (`2026-11-29T22:38:41Z`, whole seconds)
/// or metav1.MicroTime (`2026-11-29T22:38:41.123456Z`). Stored as UTC seconds plus nanoseconds,
/// with no Foundation dependency so it is cheap on hot paths.
public struct KubeTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Seconds since the Unix epoch.
  public var seconds: Int64
  /// Nanoseconds within the second, 0..<1_000_000_000.
  public var nanoseconds: Int32

  public init(seconds: Int64, nanoseconds: Int32 = 0) {
    self.seconds = seconds
    self.nanoseconds = nanoseconds
  }

  /// From milliseconds since the epoch (the unit of `WallClock`).
  public init(milliseconds: Int64) {
    let (q, r) = milliseconds.quotientAndRemainder(dividingBy: 1000)
    self.init(seconds: r < 0 ? q - 1 : q, nanoseconds: Int32((r < 0 ? r + 1000 : r) * 1_000_000))
  }

  public var milliseconds: Int64 { seconds * 1000 + Int64(nanoseconds / 1_000_000) }

  /// metav1.Time text: UTC, whole seconds (fractions are truncated as upstream does).
  public var rfc3339: String { Self.format(seconds: seconds, fraction: nil) }

  /// metav1.MicroTime text: UTC with exactly six fractional digits.
  public var rfc3339Micro: String { Self.format(seconds: seconds, fraction: Int(nanoseconds / 1000)) }

  public var description: String { rfc3339 }

  /// This time truncated to whole seconds, what a metav1.Time round trip keeps.
  public var truncatedToSeconds: KubeTime { KubeTime(seconds: seconds) }

  public func adding(seconds delta: Int64) -> KubeTime { KubeTime(seconds: seconds + delta, nanoseconds: nanoseconds) }

  public static func < (a: KubeTime, b: KubeTime) -> Bool {
    (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
  }

  private static func format(seconds: Int64, fraction micros: Int?) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = Int(seconds - days * 86_400)
    let (year, month, day) = civil(fromDays: days)
    var out = pad(Int(year), 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
    out += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    if let micros { out += "." + pad(micros, 6) }
    return out + "Z"
  }

  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  /// Proleptic Gregorian date from days since 1970-01-01 (Howard Hinnant's algorithm).
  public static func civil(fromDays z: Int64) -> (year: Int64, month: Int, day: Int) {
    let z = z + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = Int(doy - (153 * mp + 2) / 5 + 1)
    let month = Int(mp < 10 ? mp + 3 : mp - 9)
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date.
  public static func days(fromCivil year: Int64, _ month: Int, _ day: Int) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }
}

extension KubeTime {
  /// The current time from an injectable clock (tests move it; production uses `SystemClock`).
  public init(clock: any WallClock) { self.init(milliseconds: clock.nowMilliseconds()) }
}
