import CSQLite
import Foundation

/// Copies the SQLite WAL back into the database file on a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so the
/// writer, and every client waiting on its batch, waited for the database file to be written
/// and fsynced (up to a quarter of a second on a busy flash disk). The writer's connection
/// reports each commit's WAL length here instead; past `pagesBeforeCheckpoint` this thread runs
/// a PASSIVE checkpoint, which never blocks the writer. Only if the WAL still grows past
/// `pagesBeforeRestart` (readers holding old snapshots) does it take the RESTART checkpoint
/// that briefly holds writers back, so the file stays bounded.
final class WALCheckpointer: @unchecked Sendable {
  static let pagesBeforeCheckpoint: Int32 = 4000
  static let pagesBeforeRestart: Int32 = 16000

  private let path: String
  private let condition = NSCondition()
  /// The WAL length in pages after the latest commit, when it asks for a checkpoint.
  private var requested: Int32 = 0
  private var stopping = false

  init(path: String) {
    self.path = path
    let thread = Thread { [self] in loop() }
    thread.name = "skiff-store-checkpoint"
    thread.stackSize = 256 << 10
    thread.start()
  }

  /// Called on the writer's thread after every commit.
  func committed(walPages: Int32) {
    guard walPages >= Self.pagesBeforeCheckpoint else { return }
    condition.lock()
    requested = walPages
    condition.signal()
    condition.unlock()
  }

  func stop() {
    condition.lock()
    stopping = true
    condition.signal()
    condition.unlock()
  }

  /// Makes `connection` report its commits here; replaces SQLite's automatic checkpoint.
  func observe(_ db: OpaquePointer) {
    sqlite3_wal_hook(
      db,
      { context, _, _, pages in
        Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().committed(walPages: pages)
        return SQLITE_OK
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  private func loop() {
    var connection: SQLiteConnection?
    while true {
      condition.lock()
      while requested == 0 && !stopping { condition.wait() }
      let pages = requested
      requested = 0
      let stop = stopping
      condition.unlock()
      if stop { return }
      do {
        if connection == nil {
          connection = try SQLiteConnection(path: path)
          try connection?.execute("PRAGMA busy_timeout = 5000")
        }
        let mode = pages >= Self.pagesBeforeRestart ? "RESTART" : "PASSIVE"
        try connection?.execute("PRAGMA wal_checkpoint(\(mode))")
      } catch {
        // The next commit asks again; a broken connection is reopened then.
        connection = nil
      }
    }
  }
}
