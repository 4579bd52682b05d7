import Controllers
import Foundation
import Logging
import ServiceLifecycle
import SkiffCore

/// Scheduled snapshots inside `skiff server` (twice a day by default), pruned to the newest
/// `retention`; a failed snapshot is logged and the next one still runs.
struct SnapshotScheduler: Service {
  let snapshots: SnapshotDirectory
  let schedule: CronSchedule
  let retention: Int
  let logger: Logger
  static let prefix = "etcd-snapshot"

  func run() async throws {
    while !Task.isCancelled {
      let now = Int64(Date().timeIntervalSince1970 * 1000)
      guard let next = schedule.next(after: now, in: .current) else {
        logger.warning("the snapshot schedule never fires; no scheduled snapshots")
        return
      }
      do {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(next - now)) }
      } catch {
        return
      }
      do {
        let (entry, info) = try await Blocking.run { [snapshots] in try snapshots.save(prefix: Self.prefix) }
        let pruned = try snapshots.prune(prefix: Self.prefix, retention: retention)
        logger.info(
          "saved snapshot",
          metadata: [
            "path": "\(entry.path)", "bytes": "\(entry.size)", "revision": "\(info.revision)",
            "pruned": "\(pruned.count)",
          ])
      } catch {
        logger.error("scheduled snapshot failed", metadata: ["error": "\(error)"])
      }
    }
  }
}
