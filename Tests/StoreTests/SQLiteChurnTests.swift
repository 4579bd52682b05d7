import Foundation
import Store
import Testing

/// K3s users see state.db grow to gigabytes under steady churn; ours must stay bounded.
@Suite struct SQLiteChurnTests {
  @Test func fileAndLogStayBoundedUnderChurn() async throws {
    var options = RevisionLog.Options.testing
    options.compactInterval = .milliseconds(100)
    options.retainedRevisions = 50
    try await withLog(.sqlite, options: options) { env in
      let log = env.log
      let value = [UInt8](repeating: 0x78, count: 2048)
      let path = try #require((env.driver as? SQLiteDriver)?.path)
      var sizes: [Int] = []
      for round in 0..<3 {
        // 300 revisions, each rewriting the same 20 keys: 12 MB of values per round.
        for step in 0..<300 {
          let puts = (0..<20).map {
            TxnOperation.put(PutRequest(key: b("/churn/\($0)"), value: value + b("\(round)-\(step)")))
          }
          _ = try await log.txn(TxnRequest(success: puts))
        }
        try await eventually("compaction to catch up in round \(round)", within: .seconds(30)) {
          try await env.logRows() <= (50 + 1) * 20 + 20
        }
        try await log.defragment()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        sizes.append((attributes[.size] as? Int) ?? 0)
      }
      // What is kept is ~50 revisions of 20 keys (~2 MB); each round wrote 12 MB.
      #expect(sizes.allSatisfy { $0 < 8 << 20 }, "state.db sizes per round: \(sizes)")
      #expect(sizes[2] <= sizes[0] * 3 / 2, "state.db keeps growing: \(sizes)")
      let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
      #expect(wal <= 64 << 20, "WAL is \(wal) bytes")
    }
  }

  /// etcd's defragment gives back all free space at once, not one vacuum batch (8 MB) of it.
  @Test func defragmentReturnsEveryFreePage() async throws {
    try await withLog(.sqlite) { env in
      let log = env.log
      let value = [UInt8](repeating: 0x78, count: 4000)
      for start in stride(from: 0, to: 12_000, by: 100) {
        let puts = (start..<start + 100).map { TxnOperation.put(PutRequest(key: b("/big/\($0)"), value: value)) }
        _ = try await log.txn(TxnRequest(success: puts))
      }
      _ = try await log.delete(DeleteRequest(range: .prefix(b("/big/"))))
      try await log.compact(try await log.put("other", "x"), physical: true)
      // ~48 MB freed; the sweep's own vacuum returns one batch of it.
      let swept = try await log.databaseSize()
      #expect(swept > 24 << 20, "database is \(swept) bytes after the sweep")
      try await log.defragment()
      let size = try await log.databaseSize()
      #expect(size < 2 << 20, "database is \(size) bytes after defragment")
    }
  }
}
