extension KubeTime {
  private static let layout = "2006-01-02T15:04:05Z07:00"

  /// Parses RFC 3339 (`2026-11-29T22:38:41Z`, fractions and `+01:00` offsets accepted) the way
  /// Go's `time.Parse(time.RFC3339, …)` does, with its error messages.
  public init(parsing text: String) throws(KubeAPIError) {
    var scanner = TimeScanner(Array(text.utf8))
    func bad(_ element: String) -> KubeAPIError {
      KubeAPIError(
        .time,
        "parsing time \(goQuote(text)) as \(goQuote(Self.layout)): cannot parse \(goQuote(scanner.rest)) as "
          + goQuote(element))
    }
    func range(_ what: String) -> KubeAPIError {
      KubeAPIError(.time, "parsing time \(goQuote(text)): \(what) out of range")
    }
    guard let year = scanner.digits(4) else { throw bad("2006") }
    guard scanner.literal("-") else { throw bad("-") }
    guard let month = scanner.digits(2) else { throw bad("01") }
    guard (1...12).contains(month) else { throw range("month") }
    guard scanner.literal("-") else { throw bad("-") }
    guard let day = scanner.digits(2) else { throw bad("02") }
    guard scanner.literal("T") else { throw bad("T") }
    guard let hour = scanner.digits(2) else { throw bad("15") }
    guard hour < 24 else { throw range("hour") }
    guard scanner.literal(":") else { throw bad(":") }
    guard let minute = scanner.digits(2) else { throw bad("04") }
    guard minute < 60 else { throw range("minute") }
    guard scanner.literal(":") else { throw bad(":") }
    guard let second = scanner.digits(2) else { throw bad("05") }
    guard second < 60 else { throw range("second") }
    let nanos = scanner.fraction()
    var offset = 0
    if !scanner.literal("Z") {
      guard let sign = scanner.sign(), let oh = scanner.digits(2), scanner.literal(":"), let om = scanner.digits(2)
      else { throw bad("Z07:00") }
      offset = sign * (oh * 3600 + om * 60)
    }
    guard scanner.atEnd else {
      throw KubeAPIError(.time, "parsing time \(goQuote(text)): extra text: \(goQuote(scanner.rest))")
    }
    guard day >= 1 && day <= Self.daysIn(month: month, year: year) else { throw range("day") }
    let days = Self.days(fromCivil: Int64(year), month, day)
    let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
    self.init(seconds: seconds, nanoseconds: Int32(nanos))
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Time as JSON: a metav1.Time string.
  public var json: JSONValue { .string(rfc3339) }
}

/// A cursor over the bytes of a timestamp.
private struct TimeScanner {
  let bytes: [UInt8]
  var pos = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var atEnd: Bool { pos >= bytes.count }
  var rest: String { String(decoding: bytes[min(pos, bytes.count)...], as: UTF8.self) }

  mutating func digits(_ count: Int) -> Int? {
    guard pos + count <= bytes.count else { return nil }
    var value = 0
    for i in pos..<pos + count {
      let d = bytes[i] &- UInt8(ascii: "0")
      guard d < 10 else { return nil }
      value = value * 10 + Int(d)
    }
    pos += count
    return value
  }

  mutating func literal(_ c: Character) -> Bool {
    guard pos < bytes.count, bytes[pos] == c.asciiValue! else { return false }
    pos += 1
    return true
  }

  mutating func sign() -> Int? {
    if literal("+") { return 1 }
    if literal("-") { return -1 }
    return nil
  }

  /// A `.123` or `,123` fraction of a second as nanoseconds (digits past nine are dropped).
  mutating func fraction() -> Int {
    guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: ".") || bytes[pos] == UInt8(ascii: ","),
      bytes[pos + 1] &- UInt8(ascii: "0") < 10
    else { return 0 }
    pos += 1
    var nanos = 0
    var count = 0
    while pos < bytes.count, bytes[pos] &- UInt8(ascii: "0") < 10 {
      if count < 9 {
        nanos = nanos * 10 + Int(bytes[pos] - UInt8(ascii: "0"))
        count += 1
      }
      pos += 1
    }
    while count < 9 {
      nanos *= 10
      count += 1
    }
    return nanos
  }
}
