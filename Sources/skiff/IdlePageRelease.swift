import CRuntime
import Foundation
import SkiffCore

/// Hands the executable's pages back to the kernel once the process has gone quiet.
///
/// skiff is one large executable. Start-up, joining and bursts of work touch code an idle process
/// never runs again, and the kernel maps file pages by whole large folios, so an idle datastore
/// kept twice the text it used (BENCHMARKS.md, "Idle page release"). When a 30-second window
/// starts a quiet period (under 2 % of a core after a window over 10 %, or after start-up), the
/// executable's mappings are paged out; the pages the idle loop still needs fault back in. Once
/// per quiet period, so a process that stays idle is not made to fault its working set back
/// again and again.
enum IdlePageRelease {
  static let window: TimeInterval = 30

  static func start() {
    let thread = Thread { watch() }
    thread.name = "skiff-page-release"
    thread.stackSize = 256 << 10
    thread.start()
  }

  private static func watch() {
    var periods = QuietPeriods(idleShare: 0.02, busyShare: 0.10)
    var previous = cpuSeconds()
    while true {
      Thread.sleep(forTimeInterval: window)
      let now = cpuSeconds()
      if periods.startsQuietPeriod(share: (now - previous) / window) { _ = skiff_page_out_executable() }
      previous = now
    }
  }

  /// User and system CPU time of the whole process.
  private static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
  }
}
