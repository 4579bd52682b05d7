import Foundation
import NIOConcurrencyHelpers
import SkiffTestSupport
import Store
import Testing

/// What must survive a crash, and what bad input must get.
@Suite(.enabled(if: SkiffServerProcess.hasEtcdctl, "etcdctl not installed: apt-get install etcd-client to run"))
struct DurabilityTests {
  /// Concurrent writers, `kill -9` at a random moment, restart: every acknowledged write is
  /// there and SQLite's integrity check passes.
  @Test func acknowledgedWritesSurviveKill9() async throws {
    let server = try SkiffServerProcess()
    try await server.waitReady()
    let acknowledged = NIOLockedValueBox<[String]>([])
    let stop = NIOLockedValueBox(false)
    let writers = (0..<4).map { writer in
      Thread {
        var index = 0
        while !stop.withLockedValue({ $0 }) {
          let key = "/crash/\(writer)/\(index)"
          if (try? server.etcdctl("put", key, "value-\(index)")) != nil {
            acknowledged.withLockedValue { $0.append(key) }
          }
          index += 1
        }
      }
    }
    writers.forEach { $0.start() }
    try await Task.sleep(for: .milliseconds(Int.random(in: 800...2500)))
    server.crash()
    stop.withLockedValue { $0 = true }
    try await Task.sleep(for: .milliseconds(500))

    let written = Set(acknowledged.withLockedValue { $0 })
    #expect(written.count > 10, "the writers should have gotten writes in before the crash")
    let restarted = try SkiffServerProcess(dataDir: server.dataDir)
    defer { restarted.stop() }
    try await restarted.waitReady()
    let present = Set(
      try restarted.etcdctl("get", "/crash/", "--prefix", "--keys-only").split(separator: "\n").map(String.init))
    let lost = written.subtracting(present)
    #expect(lost.isEmpty, "acknowledged but lost: \(lost.sorted().prefix(10))")
    restarted.stop()

    let connection = try SQLiteDriver(path: "\(server.dataDir)/server/db/state.db").connect()
    defer { connection.close() }
    let check = try connection.query("PRAGMA integrity_check", [])
    #expect(check.first?.first == .text("ok"))
    // Revisions stay gap-free across the crash: one log entry per revision 1…n.
    let revisions = try connection.query("SELECT COUNT(DISTINCT rev), MIN(rev), MAX(rev) FROM skiff_revlog", [])
    #expect(revisions.first?[0] == revisions.first?[2])
  }

  /// PostgreSQL down at boot: skiff keeps retrying with a clear log line instead of exiting.
  @Test func unreachablePostgresAtStartIsRetried() async throws {
    let server = try SkiffServerProcess(arguments: [
      "--datastore-endpoint", "postgres://skiff:secret@127.0.0.1:1/skiff?sslmode=disable",
    ])
    try await Task.sleep(for: .seconds(2))
    #expect(server.process.isRunning)
    #expect(server.log.contains("datastore unreachable, retrying"))
    #expect(!server.log.contains("secret"))
    server.stop()
  }

  @Test func sigtermShutsDownCleanly() async throws {
    let server = try SkiffServerProcess()
    try await server.waitReady()
    try server.etcdctl("put", "k", "v")
    #expect(server.stop() == 0)
    #expect(server.log.contains("skiff server stopped"))
  }

  @Test func unknownDatastoreSchemeIsRefusedWithTheAcceptedForms() throws {
    let output = try runFailing(["server", "--data-dir", tempDir(), "--datastore-endpoint", "mysql://u:secret@db/x"])
    #expect(output.contains("accepted forms"))
    #expect(!output.contains("secret"))
  }

  @Test func etcdBeyondLoopbackNeedsClientCertificates() throws {
    let output = try runFailing(["server", "--data-dir", tempDir(), "--etcd-listen", "0.0.0.0:23790"])
    #expect(output.contains("--etcd-client-ca-file"))
  }

  private func tempDir() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("skiff-bad-\(UUID())").path
  }

  /// Runs skiff expecting failure; returns what it printed.
  private func runFailing(_ arguments: [String]) throws -> String {
    let error = #expect(throws: SkiffServerProcess.Failure.self) {
      try SkiffServerProcess.run(SkiffServerProcess.binary, arguments)
    }
    return error?.output ?? ""
  }
}
