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
    // 1,400 commits of ten pages each: 14,000 pages, under the writer's own restart threshold.
    let value = SQLValue.blob([UInt8](repeating: 7, count: 10 * 4096 - 200))
    for _ in 0..<1400 {
      try connection.execute("BEGIN IMMEDIATE")
      try connection.query("INSERT INTO t (v) VALUES ($1)", [value])
      try connection.execute("COMMIT")
    }
    let passes = try #require(connection.checkpointer).passes
    let expected = 14_000 / Int(WALCheckpointer.pagesBeforeCheckpoint)
    #expect(passes >= 1 && passes <= 2 * expected + 2, "\(passes) background passes for 14,000 pages")
  }
}
