import CSQLite
import Foundation
import SkiffCore

/// Copies the SQLite WAL back into the database file on a thread of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so the
/// writer, and every client waiting on its batch, waited for the database file to be written
/// and fsynced (up to a quarter of a second on a busy flash disk). The writer's connection
/// reports each commit's WAL length here instead; once `pagesBeforeCheckpoint` pages were added
/// since the last pass copied, this thread runs a PASSIVE checkpoint, which never blocks the
/// writer. Counting from the last pass, not from the start of the WAL, matters: a WAL that cannot
/// start over yet stays long, and a pass after every commit copied the pages every commit
/// rewrites (the tables' last pages) once per commit, with two fsyncs each time, instead of once
/// per `pagesBeforeCheckpoint`. Such a checkpoint cannot copy the
/// frames written while it runs, so under steady writes the WAL would never start over: past
/// `pagesBeforeRestart` the writer checkpoints itself, between two batches, copying only what
/// the background pass left, and its next batch starts the WAL from the beginning.
final class WALCheckpointer: @unchecked Sendable {
  static let pagesBeforeCheckpoint: Int32 = 4000
  static let pagesBeforeRestart: Int32 = 16000

  private let path: String
  private let condition = NSCondition()
  /// The latest commit asked for a checkpoint.
  private var requested = false
  private var stopping = false
  /// WAL length at the latest commit, and how much of it the last pass had copied.
  private var walPages: Int32 = 0
  private var backfilled: Int32 = 0
  /// Background passes run so far.
  private var passCount = 0
  var passes: Int {
    condition.lock()
    defer { condition.unlock() }
    return passCount
  }

  init(path: String) {
    self.path = path
    let thread = Thread(named: "skiff-wal-ckpt") { [self] in loop() }
    thread.stackSize = 256 << 10
    thread.start()
  }

  /// Called on the writer's thread after every commit.
  func committed(walPages: Int32, on db: OpaquePointer?) {
    guard walPages >= Self.pagesBeforeCheckpoint else { return }
    if walPages >= Self.pagesBeforeRestart {
      // Busy (the background pass is running) is fine: the next commit tries again.
      _ = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
      return
    }
    condition.lock()
    // A shorter WAL than was copied has started over.
    if walPages < backfilled { backfilled = 0 }
    self.walPages = walPages
    // Close to the writer's own pass, every commit asks: the background pass then keeps up, and
    // the writer, whose pass holds every client of its next batch, finds little left to copy.
    if walPages - backfilled >= Self.pagesBeforeCheckpoint
      || walPages >= Self.pagesBeforeRestart - Self.pagesBeforeCheckpoint
    {
      requested = true
      condition.signal()
    }
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
      { context, db, _, pages in
        Unmanaged<WALCheckpointer>.fromOpaque(context!).takeUnretainedValue().committed(walPages: pages, on: db)
        return SQLITE_OK
      }, Unmanaged.passUnretained(self).toOpaque())
  }

  private func loop() {
    var connection: SQLiteConnection?
    while true {
      condition.lock()
      while !requested && !stopping { condition.wait() }
      requested = false
      let stop = stopping
      condition.unlock()
      if stop { return }
      do {
        if connection == nil {
          connection = try SQLiteConnection(path: path)
          try connection?.execute("PRAGMA busy_timeout = 5000")
        }
        // One row: busy, WAL length, frames copied.
        let copied = try connection?.query("PRAGMA wal_checkpoint(PASSIVE)", []).first?[2].int ?? 0
        condition.lock()
        passCount += 1
        backfilled = Int32(clamping: max(copied, 0))
        // Commits during the pass asked again; only a WAL grown enough since then needs one.
        requested = walPages - backfilled >= Self.pagesBeforeCheckpoint
        condition.unlock()
      } catch {
        // The next commit asks again; a broken connection is reopened then.
        connection = nil
      }
    }
  }
}
