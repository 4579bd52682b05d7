import Foundation
import SkiffTestSupport
import Testing

private let postgres = ProcessInfo.processInfo.environment["SKIFF_TEST_POSTGRES"]

/// Two `skiff server` processes on one PostgreSQL database, as in HA.
@Suite(
  .enabled(if: SkiffServerProcess.hasEtcdctl, "etcdctl not installed: apt-get install etcd-client to run"),
  .enabled(
    if: postgres != nil, "set SKIFF_TEST_POSTGRES=postgres://user@127.0.0.1:5432/postgres?sslmode=disable to run"))
struct MultiServerTests {
  /// A fresh database for one test, made with psql.
  private func freshDatabase() throws -> String {
    let base = try #require(postgres)
    let name = "skiff_e2e_\(UInt32.random(in: 0...UInt32.max))"
    _ = try SkiffServerProcess.run(
      "/usr/bin/psql", [base.replacingOccurrences(of: "?sslmode=disable", with: ""), "-qc", "CREATE DATABASE \(name)"])
    let url = URL(string: base)!
    var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
    components.path = "/\(name)"
    return components.string!
  }

  @Test func writesThroughOneServerReachWatchersOfTheOtherGapFree() async throws {
    let dsn = try freshDatabase()
    let a = try SkiffServerProcess(arguments: ["--datastore-endpoint", dsn, "--disable-apiserver"])
    let b = try SkiffServerProcess(arguments: ["--datastore-endpoint", dsn, "--disable-apiserver"])
    defer {
      a.stop()
      b.stop()
    }
    try await a.waitReady()
    try await b.waitReady()

    let watcher = Process()
    watcher.executableURL = URL(fileURLWithPath: SkiffServerProcess.etcdctl!)
    watcher.arguments = ["--endpoints", b.endpoint, "watch", "/ha/", "--prefix", "-w", "json"]
    watcher.environment = ["ETCDCTL_API": "3"]
    let out = Pipe()
    watcher.standardOutput = out
    try watcher.run()
    try await Task.sleep(for: .milliseconds(700))
    for index in 0..<20 {
      try (index % 2 == 0 ? a : b).etcdctl("put", "/ha/\(index)", "v\(index)")
    }
    try await Task.sleep(for: .seconds(1.5))
    kill(watcher.processIdentifier, SIGTERM)
    watcher.waitUntilExit()
    let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    let revisions = try lines.flatMap { line -> [Int] in
      let events = try json(String(line))["Events"] as? [[String: Any]] ?? []
      return events.compactMap { ($0["kv"] as? [String: Any])?["mod_revision"] as? Int }
    }
    #expect(revisions == Array(1...20), "the watcher on B saw every write through A and B, in order, once")
    let listed = try json(try a.etcdctl("get", "/ha/", "--prefix", "-w", "json"))
    #expect(listed["count"] as? Int == 20)
  }
}
