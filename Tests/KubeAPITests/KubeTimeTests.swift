import SkiffCore
import Testing

@testable import KubeAPI

@Suite struct KubeTimeTests {
  @Test func formatsLikeMetav1Time() {
    let t = KubeTime(seconds: 1_795_991_921, nanoseconds: 123_456_789)
    #expect(t.rfc3339 == "2026-11-29T22:38:41Z")
    #expect(t.rfc3339Micro == "2026-11-29T22:38:41.123456Z")
    #expect(KubeTime(seconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
    #expect(KubeTime(seconds: -1).rfc3339 == "1969-12-31T23:59:59Z")
    #expect(KubeTime(seconds: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
    #expect(KubeTime(seconds: 253_402_300_799).rfc3339 == "9999-12-31T23:59:59Z")
    #expect(KubeTime(milliseconds: 1_500).nanoseconds == 500_000_000)
    #expect(KubeTime(milliseconds: -1).seconds == -1)
    #expect(KubeTime(milliseconds: 1_795_991_921_250).milliseconds == 1_795_991_921_250)
  }

  @Test func parsesRFC3339() throws {
    #expect(try KubeTime(parsing: "2026-11-29T22:38:41Z") == KubeTime(seconds: 1_795_991_921))
    #expect(try KubeTime(parsing: "2026-11-29T23:38:41+01:00") == KubeTime(seconds: 1_795_991_921))
    #expect(
      try KubeTime(parsing: "2026-11-29T22:38:41.5Z") == KubeTime(seconds: 1_795_991_921, nanoseconds: 500_000_000))
    #expect(try KubeTime(parsing: "2026-11-29T22:38:41.123456Z").rfc3339Micro == "2026-11-29T22:38:41.123456Z")
    for text in ["1970-01-01T00:00:00Z", "2000-02-29T12:00:00Z", "1969-07-20T20:17:40Z"] {
      #expect(try KubeTime(parsing: text).rfc3339 == text)
    }
    #expect(try KubeTime(parsing: "2026-01-01T00:00:00Z") < KubeTime(parsing: "2026-01-01T00:00:01Z"))
  }

  @Test func errorsMatchGoTimeParse() {
    func message(_ text: String) -> String? {
      do {
        _ = try KubeTime(parsing: text)
        return nil
      } catch {
        return error.message
      }
    }
    #expect(message("") == #"parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006""#)
    #expect(
      message("2026-1-01T00:00:00Z")
        == #"parsing time "2026-1-01T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-01T00:00:00Z" as "01""#)
    #expect(message("2026-13-01T00:00:00Z") == #"parsing time "2026-13-01T00:00:00Z": month out of range"#)
    #expect(message("2026-02-30T00:00:00Z") == #"parsing time "2026-02-30T00:00:00Z": day out of range"#)
    #expect(
      message("2026-11-29 22:38:41Z")
        == #"parsing time "2026-11-29 22:38:41Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 22:38:41Z" as "T""#)
    #expect(
      message("2026-11-29T22:38:41")
        == #"parsing time "2026-11-29T22:38:41" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00""#)
    #expect(message("2026-11-29T22:38:41Zjunk") == #"parsing time "2026-11-29T22:38:41Zjunk": extra text: "junk""#)
  }
}

@Suite struct KubeTimeClockTests {
  struct FixedClock: WallClock {
    let ms: Int64
    func nowMilliseconds() -> Int64 { ms }
  }

  @Test func readsAnInjectedClock() {
    #expect(KubeTime(clock: FixedClock(ms: 1_795_991_921_999)).rfc3339 == "2026-11-29T22:38:41Z")
  }
}
