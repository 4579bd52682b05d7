import CRuntime
import Foundation
import SkiffCore
import Testing

@Suite struct IdlePageReleaseTests {
  @Test func releasesInQuietWindowsOnlyAfterEnoughPagesCameBack() {
    var policy = IdleReleasePolicy(idleShare: 0.01, faultsBetweenReleases: 1000)
    let windows: [(share: Double, faults: Int)] = [
      (0.5, 9000),  // start-up: busy, no release
      (0.005, 40),  // first quiet window: start-up's pages go
      (0.005, 300),  // the working set faults back: not again
      (0.02, 2000),  // a burst of work brings pages in
      (0.005, 10),  // quiet again, 2,310 faults since: release
      (0.005, 900), (0.005, 50),  // 950 < 1,000: keep
      (0.005, 50),  // 1,000 reached in a quiet window: release
    ]
    let releases = windows.map { policy.releaseDue(share: $0.share, faults: $0.faults) }
    #expect(releases == [false, true, false, false, true, false, false, true])
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
