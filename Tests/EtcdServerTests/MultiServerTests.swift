import Foundation
import SkiffCore
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

  /// ClusterIPs handed out through two API servers on one database never collide, and an
  /// address freed through one is reusable through the other (each follows the store).
  @Test func clusterIPsAreUniqueAcrossServers() async throws {
    try #require(SkiffServerProcess.kubectlPath != nil, "kubectl is not installed")
    let dsn = try freshDatabase()
    // A /27 leaves 15 allocatable addresses (the low 16 are for well-known services).
    let arguments = ["--datastore-endpoint", dsn, "--etcd-listen", "", "--service-cidr", "10.43.0.0/27"]
    let a = try SkiffServerProcess(arguments: arguments)
    try await a.waitReady(etcd: false)
    let b = try SkiffServerProcess(arguments: arguments)
    defer {
      a.stop()
      b.stop()
    }
    try await b.waitReady(etcd: false)
    func create(_ server: SkiffServerProcess, _ name: String) async throws -> String {
      try await Blocking.run {
        try server.kubectl("create", "service", "clusterip", name, "--tcp=80:80")
        return try server.kubectl("get", "service", name, "-o", "jsonpath={.spec.clusterIP}")
      }
    }
    var addresses: [String] = []
    for index in 0..<15 { addresses.append(try await create(index % 2 == 0 ? a : b, "s\(index)")) }
    #expect(Set(addresses).count == 15, "\(addresses.sorted())")
    let full = await #expect(throws: SkiffServerProcess.Failure.self) { try await create(b, "s15") }
    #expect(full?.output.contains("range is full") == true)
    try await Blocking.run { _ = try a.kubectl("delete", "service", "s0") }
    let reused = try await create(b, "s16")
    #expect(reused == addresses[0])
  }
}
