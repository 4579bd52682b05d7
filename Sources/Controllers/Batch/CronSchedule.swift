import Foundation

/// A CronJob schedule parsed as kube-controller-manager parses it (robfig/cron v3
/// `ParseStandard`): five fields (minute hour day-of-month month day-of-week) with `*`, `?`,
/// lists, ranges, steps and month/day names, or a descriptor (`@hourly` … `@yearly`,
/// `@every <duration>`), optionally behind a `TZ=`/`CRON_TZ=` prefix.
public struct CronSchedule: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    case fields(minute: UInt64, hour: UInt64, dayOfMonth: UInt64, month: UInt64, dayOfWeek: UInt64)
    /// `@every`: a fixed delay in whole seconds.
    case every(seconds: Int64)
  }

  let kind: Kind
  /// The zone named by a `TZ=`/`CRON_TZ=` prefix; nil means the caller's zone.
  public let timeZone: TimeZone?

  /// Set on a field written as `*` or `?` (not `*/n`): the day-of-month/day-of-week OR rule needs it.
  static let starBit: UInt64 = 1 << 63

  struct Bounds {
    let min: Int
    let max: Int
    let names: [String: Int]
  }

  static let minutes = Bounds(min: 0, max: 59, names: [:])
  static let hours = Bounds(min: 0, max: 23, names: [:])
  static let daysOfMonth = Bounds(min: 1, max: 31, names: [:])
  static let months = Bounds(
    min: 1, max: 12,
    names: [
      "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
      "nov": 11, "dec": 12,
    ])
  static let daysOfWeek = Bounds(
    min: 0, max: 6, names: ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6])

  /// Parses a schedule; the error text is what upstream reports in its events.
  public init(parsing text: String) throws(CronScheduleError) {
    var spec = text
    guard !spec.isEmpty else { throw CronScheduleError("empty spec string") }
    var zone: TimeZone?
    if spec.hasPrefix("TZ=") || spec.hasPrefix("CRON_TZ=") {
      let equals = spec.firstIndex(of: "=")!
      let space = spec.firstIndex(of: " ") ?? spec.endIndex
      let name = String(spec[spec.index(after: equals)..<space])
      guard let named = Self.zone(named: name) else {
        throw CronScheduleError("provided bad location \(name): unknown time zone \(name)")
      }
      zone = named
      spec = String(spec[space...]).trimmingCharacters(in: .whitespaces)
    }
    timeZone = zone
    if spec.hasPrefix("@") {
      kind = try Self.descriptor(spec)
      return
    }
    let fields = spec.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
    guard fields.count == 5 else {
      throw CronScheduleError("expected exactly 5 fields, found \(fields.count): [\(fields.joined(separator: " "))]")
    }
    kind = .fields(
      minute: try Self.field(fields[0], Self.minutes), hour: try Self.field(fields[1], Self.hours),
      dayOfMonth: try Self.field(fields[2], Self.daysOfMonth), month: try Self.field(fields[3], Self.months),
      dayOfWeek: try Self.field(fields[4], Self.daysOfWeek))
  }

  /// An IANA zone as Go's time.LoadLocation resolves it ("" and "UTC" are UTC).
  public static func zone(named name: String) -> TimeZone? {
    if name.isEmpty || name == "UTC" { return TimeZone(identifier: "UTC") }
    if name == "Local" { return TimeZone.current }
    return TimeZone(identifier: name)
  }

  private static func descriptor(_ spec: String) throws(CronScheduleError) -> Kind {
    let all = { (bounds: Bounds) in bits(bounds.min, bounds.max, 1) | starBit }
    switch spec {
    case "@yearly", "@annually":
      return .fields(minute: 1, hour: 1, dayOfMonth: 1 << 1, month: 1 << 1, dayOfWeek: all(daysOfWeek))
    case "@monthly":
      return .fields(minute: 1, hour: 1, dayOfMonth: 1 << 1, month: all(months), dayOfWeek: all(daysOfWeek))
    case "@weekly":
      return .fields(minute: 1, hour: 1, dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: 1)
    case "@daily", "@midnight":
      return .fields(
        minute: 1, hour: 1, dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: all(daysOfWeek))
    case "@hourly":
      return .fields(
        minute: 1, hour: all(hours), dayOfMonth: all(daysOfMonth), month: all(months), dayOfWeek: all(daysOfWeek))
    default:
      let prefix = "@every "
      guard spec.hasPrefix(prefix) else { throw CronScheduleError("unrecognized descriptor: \(spec)") }
      let text = String(spec.dropFirst(prefix.count))
      guard let nanoseconds = GoDuration.parse(text) else {
        throw CronScheduleError("failed to parse duration \(spec): time: invalid duration \"\(text)\"")
      }
      return .every(seconds: max(nanoseconds / 1_000_000_000, 1))
    }
  }

  /// One field: comma-separated ranges, each `*`/`?`/`n`/`a-b` optionally followed by `/step`.
  private static func field(_ text: String, _ bounds: Bounds) throws(CronScheduleError) -> UInt64 {
    var result: UInt64 = 0
    for part in text.split(separator: ",") { result |= try range(String(part), bounds) }
    return result
  }

  private static func range(_ expr: String, _ bounds: Bounds) throws(CronScheduleError) -> UInt64 {
    let rangeAndStep = expr.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    let lowAndHigh = rangeAndStep[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    var start: Int
    var end: Int
    var extra: UInt64 = 0
    if lowAndHigh[0] == "*" || lowAndHigh[0] == "?" {
      start = bounds.min
      end = bounds.max
      extra = starBit
    } else {
      start = try intOrName(lowAndHigh[0], bounds)
      switch lowAndHigh.count {
      case 1: end = start
      case 2: end = try intOrName(lowAndHigh[1], bounds)
      default: throw CronScheduleError("too many hyphens: \(expr)")
      }
    }
    var step = 1
    switch rangeAndStep.count {
    case 1: break
    case 2:
      step = try number(rangeAndStep[1])
      if lowAndHigh.count == 1 { end = bounds.max }
      if step > 1 { extra = 0 }
    default:
      throw CronScheduleError("too many slashes: \(expr)")
    }
    if start < bounds.min {
      throw CronScheduleError("beginning of range (\(start)) below minimum (\(bounds.min)): \(expr)")
    }
    if end > bounds.max { throw CronScheduleError("end of range (\(end)) above maximum (\(bounds.max)): \(expr)") }
    if start > end { throw CronScheduleError("beginning of range (\(start)) beyond end of range (\(end)): \(expr)") }
    if step == 0 { throw CronScheduleError("step of range should be a positive number: \(expr)") }
    return bits(start, end, step) | extra
  }

  private static func intOrName(_ text: String, _ bounds: Bounds) throws(CronScheduleError) -> Int {
    if let value = bounds.names[text.lowercased()] { return value }
    return try number(text)
  }

  private static func number(_ text: String) throws(CronScheduleError) -> Int {
    guard let value = Int(text) else {
      throw CronScheduleError("failed to parse int from \(text): strconv.Atoi: parsing \"\(text)\": invalid syntax")
    }
    guard value >= 0 else { throw CronScheduleError("negative number (\(value)) not allowed: \(text)") }
    return value
  }

  static func bits(_ min: Int, _ max: Int, _ step: Int) -> UInt64 {
    if step == 1 { return ~(UInt64.max << UInt64(max + 1)) & (UInt64.max << UInt64(min)) }
    var result: UInt64 = 0
    var i = min
    while i <= max {
      result |= 1 << UInt64(i)
      i += step
    }
    return result
  }
}

/// Why a schedule does not parse, in upstream's words.
public struct CronScheduleError: Error, Equatable, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Go's time.ParseDuration for `@every`: "1h30m", "90s", "1.5h"; answers nanoseconds.
enum GoDuration {
  static let units: [(String, Double)] = [
    ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
  ]

  static func parse(_ text: String) -> Int64? {
    var rest = Substring(text)
    var negative = false
    if rest.first == "-" || rest.first == "+" {
      negative = rest.first == "-"
      rest = rest.dropFirst()
    }
    if rest == "0" { return 0 }
    guard !rest.isEmpty else { return nil }
    var total = 0.0
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      let unitText = rest.prefix { !$0.isNumber && $0 != "." }
      guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
      rest = rest.dropFirst(unitText.count)
      total += value * unit.1
    }
    guard total < 9.2e18 else { return nil }
    return Int64(negative ? -total : total)
  }
}
