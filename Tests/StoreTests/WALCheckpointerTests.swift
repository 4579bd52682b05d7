import Foundation
import Testing

@testable import Store

@Suite struct WALCheckpointerTests {
  /// Under back-to-back commits the WAL cannot start over, so it stays long; a background pass
  /// must still wait for `pagesBeforeCheckpoint` new pages rather than follow every commit.
  @Test func passesFollowNewPagesNotCommits() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-wal-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let connection = try #require(try SQLiteDriver(path: directory + "/state.db").connectWriter() as? SQLiteConnection)
    defer { connection.close() }
    try connection.execute("CREATE TABLE t (v BLOB NOT NULL)")
    // Commits of ten pages each until the WAL holds 11,000 frames, short of where every commit
    // asks for a pass (the file keeps its length when the WAL starts over).
    let value = SQLValue.blob([UInt8](repeating: 7, count: 10 * 4096 - 200))
    func walFrames() -> Int {
      let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/state.db-wal")[.size] as? Int) ?? 0
      return max(size - 32, 0) / (4096 + 24)
    }
    var commits = 0
    while walFrames() < 11_000 && commits < 3_000 {
      try connection.execute("BEGIN IMMEDIATE")
      try connection.query("INSERT INTO t (v) VALUES ($1)", [value])
      try connection.execute("COMMIT")
      commits += 1
    }
    let checkpointer = try #require(connection.checkpointer)
    // The first pass, asked for at 4,000 frames, may still be copying.
    for _ in 0..<500 where checkpointer.passes == 0 { usleep(10_000) }
    let passes = checkpointer.passes
    let expected = 11_000 / Int(WALCheckpointer.pagesBeforeCheckpoint)
    #expect(passes >= 1 && passes <= 2 * expected + 2, "\(passes) background passes over \(commits) commits")
  }
}
