import CRuntime
import Foundation
import SkiffCore

/// Hands the executable's pages, and the heap's free pages, back to the kernel once the process
/// has gone quiet.
///
/// skiff is one large executable. Start-up, joining and bursts of work touch code an idle process
/// never runs again, and each fault maps the cached pages around it too, so an idle datastore kept
/// twice the text it used (BENCHMARKS.md, "Idle page release"). When a 30-second window used
/// under 1 % of a core, and the process faulted in 1,000 pages (4 MB) since the last release or
/// is just past start-up, the executable's pages are released; the ones the idle loop still
/// needs fault back in. Free heap pages go too (`malloc_trim`): a burst's buffers leave holes
/// inside the arenas that `free` never returns, since only the top of a heap shrinks.
enum IdlePageRelease {
  static let window: TimeInterval = 30

  static func start() {
    let thread = Thread(named: "skiff-idle-page") { watch() }
    thread.stackSize = 256 << 10
    thread.start()
  }

  private static func watch() {
    var policy = IdleReleasePolicy(idleShare: 0.01, faultsBetweenReleases: 1000)
    var previous = usage()
    while true {
      Thread.sleep(forTimeInterval: window)
      let now = usage()
      if policy.releaseDue(share: (now.cpu - previous.cpu) / window, faults: now.faults - previous.faults) {
        _ = skiff_trim_heap()
        _ = skiff_page_out_executable()
      }
      previous = usage()
    }
  }

  /// CPU seconds (user and system) and page faults (minor and major) of the whole process.
  private static func usage() -> (cpu: Double, faults: Int) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return (user + system, usage.ru_minflt + usage.ru_majflt)
  }
}
