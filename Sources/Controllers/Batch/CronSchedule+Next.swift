import Foundation
import KubeAPI

extension CronSchedule {
  /// The first activation strictly after `time` (milliseconds since the epoch), walking the
  /// calendar of `zone` (the schedule's own TZ= zone wins) the way robfig/cron does, daylight
  /// saving quirks included: a time skipped by a spring-forward does not run that day, a time
  /// repeated by a fall-back runs twice. nil when nothing matches within five years.
  public func next(after time: Int64, in zone: TimeZone) -> Int64? {
    let seconds = Self.floorDiv(time, 1000)
    switch kind {
    case .every(let delay):
      return (seconds + delay) * 1000
    case .fields(let minute, let hour, let dayOfMonth, let month, let dayOfWeek):
      let calendar = ZonedCalendar(zone: timeZone ?? zone)
      var t = seconds + 1
      var added = false
      let yearLimit = calendar.fields(t).year + 5
      wrap: while true {
        var c = calendar.fields(t)
        if c.year > yearLimit { return nil }
        while month & (1 << UInt64(c.month)) == 0 {
          if !added {
            added = true
            t = calendar.date(c.year, c.month, 1, 0, 0, 0)
            c = calendar.fields(t)
          }
          t = calendar.date(c.year, c.month + 1, c.day, c.hour, c.minute, c.second)
          c = calendar.fields(t)
          if c.month == 1 { continue wrap }
        }
        while !Self.dayMatches(c, dayOfMonth, dayOfWeek) {
          if !added {
            added = true
            t = calendar.date(c.year, c.month, c.day, 0, 0, 0)
            c = calendar.fields(t)
          }
          t = calendar.date(c.year, c.month, c.day + 1, c.hour, c.minute, c.second)
          c = calendar.fields(t)
          if c.hour != 0 {
            t += c.hour > 12 ? Int64(24 - c.hour) * 3600 : -Int64(c.hour) * 3600
            c = calendar.fields(t)
          }
          if c.day == 1 { continue wrap }
        }
        while hour & (1 << UInt64(c.hour)) == 0 {
          if !added {
            added = true
            t = calendar.date(c.year, c.month, c.day, c.hour, 0, 0)
          }
          t += 3600
          c = calendar.fields(t)
          if c.hour == 0 { continue wrap }
        }
        while minute & (1 << UInt64(c.minute)) == 0 {
          if !added {
            added = true
            t -= Self.floorMod(t, 60)
          }
          t += 60
          c = calendar.fields(t)
          if c.minute == 0 { continue wrap }
        }
        while c.second != 0 {
          added = true
          t += 1
          c = calendar.fields(t)
          if c.second == 0 { continue wrap }
        }
        return t * 1000
      }
    }
  }

  /// Day-of-month and day-of-week must both match when either is `*`; otherwise either may.
  static func dayMatches(_ c: ZonedCalendar.Fields, _ dayOfMonth: UInt64, _ dayOfWeek: UInt64) -> Bool {
    let domMatch = dayOfMonth & (1 << UInt64(c.day)) != 0
    let dowMatch = dayOfWeek & (1 << UInt64(c.weekday)) != 0
    if dayOfMonth & starBit != 0 || dayOfWeek & starBit != 0 { return domMatch && dowMatch }
    return domMatch || dowMatch
  }

  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
  static func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
}

/// Wall-clock fields of an instant in a zone, and instants from (possibly out-of-range)
/// wall-clock fields normalised as Go's time.Date does.
struct ZonedCalendar {
  struct Fields {
    var year: Int64
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    /// 0 = Sunday.
    var weekday: Int
  }

  let zone: TimeZone

  func offset(_ seconds: Int64) -> Int64 {
    Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
  }

  func fields(_ seconds: Int64) -> Fields {
    let local = seconds + offset(seconds)
    let days = CronSchedule.floorDiv(local, 86_400)
    let secondOfDay = Int(local - days * 86_400)
    let (year, month, day) = Self.civil(days)
    let weekday = Int(CronSchedule.floorMod(days + 4, 7))
    return Fields(
      year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
      second: secondOfDay % 60, weekday: weekday)
  }

  /// The instant of these wall-clock fields; months, days and times may overflow.
  func date(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Int64 {
    let monthIndex = Int64(month - 1)
    let normalizedYear = year + CronSchedule.floorDiv(monthIndex, 12)
    let normalizedMonth = Int(CronSchedule.floorMod(monthIndex, 12)) + 1
    let days = Self.days(normalizedYear, normalizedMonth, 1) + Int64(day - 1)
    let local = days * 86_400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
    let guess = offset(local)
    let corrected = offset(local - guess)
    return local - (corrected == guess ? guess : corrected)
  }

  static func civil(_ days: Int64) -> (Int64, Int, Int) {
    let date = KubeTime.civil(fromDays: days)
    return (date.year, date.month, date.day)
  }

  static func days(_ year: Int64, _ month: Int, _ day: Int) -> Int64 { KubeTime.days(fromCivil: year, month, day) }
}
