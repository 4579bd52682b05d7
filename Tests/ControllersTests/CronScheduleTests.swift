import Controllers
import Foundation
import KubeAPI
import Testing

@Suite struct CronScheduleTests {
  static let utc = TimeZone(identifier: "UTC")!

  /// Milliseconds of an RFC 3339 instant.
  func at(_ text: String) throws -> Int64 { try KubeTime(parsing: text).milliseconds }

  /// The next `count` activations after `start`, as RFC 3339 UTC text.
  func runs(_ spec: String, after start: String, count: Int = 3, zone: TimeZone = utc) throws -> [String] {
    let schedule = try CronSchedule(parsing: spec)
    var time = try at(start)
    var out: [String] = []
    for _ in 0..<count {
      guard let next = schedule.next(after: time, in: zone) else { break }
      out.append(KubeTime(milliseconds: next).rfc3339)
      time = next
    }
    return out
  }

  @Test func stepsRangesAndLists() throws {
    #expect(
      try runs("*/15 * * * *", after: "2024-05-01T10:07:30Z")
        == ["2024-05-01T10:15:00Z", "2024-05-01T10:30:00Z", "2024-05-01T10:45:00Z"])
    #expect(
      try runs("5/20 * * * *", after: "2024-05-01T10:00:00Z")
        == ["2024-05-01T10:05:00Z", "2024-05-01T10:25:00Z", "2024-05-01T10:45:00Z"])
    // Weekdays 9 to 17 on the hour: Friday evening jumps to Monday morning.
    #expect(
      try runs("0 9-17 * * 1-5", after: "2024-05-03T16:30:00Z")
        == ["2024-05-03T17:00:00Z", "2024-05-06T09:00:00Z", "2024-05-06T10:00:00Z"])
    #expect(
      try runs("0 0 1,15 * *", after: "2024-05-02T00:00:00Z", count: 2) == [
        "2024-05-15T00:00:00Z", "2024-06-01T00:00:00Z",
      ])
    // An exact time is strictly after: the instant itself does not count.
    #expect(try runs("30 10 * * *", after: "2024-05-01T10:30:00Z", count: 1) == ["2024-05-02T10:30:00Z"])
  }

  @Test func monthAndDayNames() throws {
    #expect(
      try runs("0 12 * jan,JUL mon", after: "2024-05-01T00:00:00Z", count: 2)
        == ["2024-07-01T12:00:00Z", "2024-07-08T12:00:00Z"])
    #expect(
      try runs("0 0 * * sat,SUN", after: "2024-05-01T00:00:00Z", count: 2) == [
        "2024-05-04T00:00:00Z", "2024-05-05T00:00:00Z",
      ])
  }

  @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
    // Both restricted: the 13th OR any Friday (2024-09-06 is a Friday, the 13th is also one).
    #expect(
      try runs("0 0 13 * 5", after: "2024-09-01T00:00:00Z", count: 4)
        == ["2024-09-06T00:00:00Z", "2024-09-13T00:00:00Z", "2024-09-20T00:00:00Z", "2024-09-27T00:00:00Z"])
    #expect(
      try runs("0 0 10 * 1", after: "2024-09-01T00:00:00Z", count: 3) == [
        "2024-09-02T00:00:00Z", "2024-09-09T00:00:00Z", "2024-09-10T00:00:00Z",
      ])
    // Day-of-month `*`: both must match, so only Mondays.
    #expect(
      try runs("0 0 * * 1", after: "2024-09-01T00:00:00Z", count: 2) == [
        "2024-09-02T00:00:00Z", "2024-09-09T00:00:00Z",
      ])
    // A stepped `*/2` is a restriction, not a star: odd days OR Mondays.
    #expect(
      try runs("0 0 */2 * 1", after: "2024-09-01T00:00:00Z", count: 3)
        == ["2024-09-02T00:00:00Z", "2024-09-03T00:00:00Z", "2024-09-05T00:00:00Z"])
  }

  @Test func descriptors() throws {
    let start = "2024-05-15T10:20:30Z"
    #expect(try runs("@hourly", after: start, count: 1) == ["2024-05-15T11:00:00Z"])
    #expect(try runs("@daily", after: start, count: 1) == ["2024-05-16T00:00:00Z"])
    #expect(try runs("@midnight", after: start, count: 1) == ["2024-05-16T00:00:00Z"])
    #expect(try runs("@weekly", after: start, count: 1) == ["2024-05-19T00:00:00Z"])
    #expect(try runs("@monthly", after: start, count: 1) == ["2024-06-01T00:00:00Z"])
    #expect(try runs("@yearly", after: start, count: 1) == ["2025-01-01T00:00:00Z"])
    #expect(try runs("@annually", after: start, count: 1) == ["2025-01-01T00:00:00Z"])
    #expect(try runs("@every 1h30m", after: start, count: 2) == ["2024-05-15T11:50:30Z", "2024-05-15T13:20:30Z"])
  }

  @Test func impossibleDateNeverRuns() throws {
    #expect(try runs("0 0 30 2 *", after: "2024-01-01T00:00:00Z", count: 1).isEmpty)
  }

  @Test func parseErrorsReadAsUpstream() {
    func error(_ spec: String) -> String? {
      do {
        _ = try CronSchedule(parsing: spec)
        return nil
      } catch { return error.description }
    }
    #expect(error("") == "empty spec string")
    #expect(error("* * * *") == "expected exactly 5 fields, found 4: [* * * *]")
    #expect(error("* * * * * *") == "expected exactly 5 fields, found 6: [* * * * * *]")
    #expect(error("61 * * * *") == "end of range (61) above maximum (59): 61")
    #expect(error("* * 0 * *") == "beginning of range (0) below minimum (1): 0")
    #expect(error("* * * * 7") == "end of range (7) above maximum (6): 7")
    #expect(error("5-2 * * * *") == "beginning of range (5) beyond end of range (2): 5-2")
    #expect(error("*/0 * * * *") == "step of range should be a positive number: */0")
    #expect(error("1-2-3 * * * *") == "too many hyphens: 1-2-3")
    #expect(error("x * * * *") == "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax")
    #expect(error("@fortnightly") == "unrecognized descriptor: @fortnightly")
    #expect(error("TZ=Mars/Olympus * * * * *") == "provided bad location Mars/Olympus: unknown time zone Mars/Olympus")
    #expect(error("? ? ? ? ?") == nil)
  }

  @Test func timeZonesAndDaylightSaving() throws {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    // 09:00 in Berlin is 08:00Z in winter (CET) and 07:00Z in summer (CEST).
    #expect(try runs("0 9 * * *", after: "2024-01-10T00:00:00Z", count: 1, zone: berlin) == ["2024-01-10T08:00:00Z"])
    #expect(try runs("0 9 * * *", after: "2024-07-10T00:00:00Z", count: 1, zone: berlin) == ["2024-07-10T07:00:00Z"])
    // A TZ= prefix wins over the zone passed in.
    #expect(try runs("TZ=Europe/Berlin 0 9 * * *", after: "2024-01-10T00:00:00Z", count: 1) == ["2024-01-10T08:00:00Z"])
    #expect(
      try runs("CRON_TZ=Asia/Tokyo 0 9 * * *", after: "2024-01-10T00:00:00Z", count: 1) == ["2024-01-11T00:00:00Z"])

    let newYork = TimeZone(identifier: "America/New_York")!
    // Spring forward (2024-03-10 02:00 EST → 03:00 EDT): 02:30 does not exist that day.
    let spring = try runs("30 2 * * *", after: "2024-03-09T12:00:00Z", count: 2, zone: newYork)
    #expect(spring == ["2024-03-11T06:30:00Z", "2024-03-12T06:30:00Z"])
    // Fall back (2024-11-03 02:00 EDT → 01:00 EST): 01:30 happens twice, and runs twice.
    let fall = try runs("30 1 * * *", after: "2024-11-03T04:00:00Z", count: 3, zone: newYork)
    #expect(fall == ["2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z", "2024-11-04T06:30:00Z"])
    // Hourly runs keep their spacing across the change.
    let hourly = try runs("0 * * * *", after: "2024-03-10T06:30:00Z", count: 2, zone: newYork)
    #expect(hourly == ["2024-03-10T07:00:00Z", "2024-03-10T08:00:00Z"])
  }
}
