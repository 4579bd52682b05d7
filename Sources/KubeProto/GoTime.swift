/// RFC 3339 timestamps the way Kubernetes' Go types print them: `metav1.Time` in whole seconds,
/// `metav1.MicroTime` with six fractional digits, always in UTC.
enum GoTime {
  /// "2026-11-29T22:38:41Z", or with `micros` "2026-11-29T22:38:41.123456Z".
  static func format(seconds: Int64, micros: Int64? = nil) -> String {
    let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let secondOfDay = seconds - days * 86_400
    let (year, month, day) = civil(fromDays: days)
    var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
    text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    if let micros { text += "." + pad(micros, 6) }
    return text + "Z"
  }

  /// Seconds since the epoch and nanoseconds of an RFC 3339 timestamp (any offset, any fraction).
  static func parse(_ text: String) -> (seconds: Int64, nanos: Int32)? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
      bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
      let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
      let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var position = 19
    var nanos: Int64 = 0
    if bytes[position] == UInt8(ascii: ".") {
      position += 1
      var digits = 0
      while position < bytes.count, let digit = digitValue(bytes[position]) {
        if digits < 9 { nanos = nanos * 10 + digit }
        digits += 1
        position += 1
      }
      guard digits > 0 else { return nil }
      while digits < 9 {
        nanos *= 10
        digits += 1
      }
    }
    guard position < bytes.count else { return nil }
    var offset: Int64 = 0
    switch bytes[position] {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      position += 1
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard bytes.count - position == 6, bytes[position + 3] == UInt8(ascii: ":"),
        let hours = number(bytes, position + 1, 2), let minutes = number(bytes, position + 4, 2)
      else { return nil }
      offset = (hours * 3600 + minutes * 60) * (bytes[position] == UInt8(ascii: "-") ? -1 : 1)
      position += 6
    default:
      return nil
    }
    guard position == bytes.count else { return nil }
    let days = daysFromCivil(year: year, month: month, day: day)
    return (days * 86_400 + hour * 3600 + minute * 60 + second - offset, Int32(nanos))
  }

  // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
  private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }

  private static func digitValue(_ byte: UInt8) -> Int64? {
    byte >= 48 && byte <= 57 ? Int64(byte - 48) : nil
  }

  private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int64? {
    var value: Int64 = 0
    for index in start..<start + count {
      guard index < bytes.count, let digit = digitValue(bytes[index]) else { return nil }
      value = value * 10 + digit
    }
    return value
  }
}
