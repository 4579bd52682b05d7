import CRuntime
import Foundation
import SkiffCore
import Testing

@Suite struct IdlePageReleaseTests {
  @Test func quietPeriodStartsOnceAfterEachBusySpell() {
    var periods = QuietPeriods(idleShare: 0.02, busyShare: 0.10)
    // Start-up counts as busy: the first quiet window starts a period, later ones do not.
    #expect(periods.startsQuietPeriod(share: 0.01))
    #expect(!periods.startsQuietPeriod(share: 0.01))
    // Between the thresholds nothing changes, either way.
    #expect(!periods.startsQuietPeriod(share: 0.05))
    #expect(!periods.startsQuietPeriod(share: 0.01))
    #expect(!periods.startsQuietPeriod(share: 0.50))
    #expect(!periods.startsQuietPeriod(share: 0.05))
    #expect(periods.startsQuietPeriod(share: 0.0))
    #expect(!periods.startsQuietPeriod(share: 0.0))
  }

  @Test func pagesOutTheRunningExecutable() throws {
    let before = executableResidentKiB()
    let advised = skiff_page_out_executable()
    try #require(advised > 0, "madvise failed: errno \(-advised)")
    // Every mapping of the executable was advised, not only a part of it.
    #expect(advised >= executableMappedBytes())
    // Other tests keep running and fault some pages back in, but far from all of them.
    #expect(executableResidentKiB() < before)
  }

  private func executableMappings() throws -> [(size: Int, rssKiB: Int)] {
    let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
    var mappings: [(size: Int, rssKiB: Int)] = []
    var current: Int?
    for line in smaps.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
        current = nil
        guard fields.count >= 6, fields[5...].joined(separator: " ") == exe else { continue }
        let bounds = range.split(separator: "-").compactMap { Int($0, radix: 16) }
        mappings.append((bounds[1] - bounds[0], 0))
        current = mappings.count - 1
      } else if let index = current, fields.first == "Rss:", fields.count > 1 {
        mappings[index].rssKiB = Int(fields[1]) ?? 0
      }
    }
    return mappings
  }

  private func executableResidentKiB() -> Int { (try? executableMappings().reduce(0) { $0 + $1.rssKiB }) ?? 0 }
  private func executableMappedBytes() -> Int { (try? executableMappings().reduce(0) { $0 + $1.size }) ?? 0 }
}
