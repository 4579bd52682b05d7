import Foundation
import SkiffTestSupport
import Testing

/// The real etcdctl 3.4 against a real `skiff server` on a temporary SQLite datastore.
@Suite(.enabled(if: SkiffServerProcess.hasEtcdctl, "etcdctl not installed: apt-get install etcd-client to run"))
struct EtcdctlTests {
  private func withServer(_ body: (SkiffServerProcess) async throws -> Void) async throws {
    let server = try SkiffServerProcess(arguments: ["--disable-apiserver"])
    defer { server.stop() }
    try await server.waitReady()
    try await body(server)
  }

  @Test func putAndGetWithEveryReadOption() async throws {
    try await withServer { s in
      #expect(try s.etcdctl("put", "foo", "bar") == "OK\n")
      try s.etcdctl("put", "foo", "baz")
      for key in ["/a/1", "/a/2", "/a/3", "/b/1"] { try s.etcdctl("put", key, "v" + key) }
      let foo = try json(try s.etcdctl("get", "foo", "-w", "json"))
      let header = try #require(foo["header"] as? [String: Any])
      #expect(header["revision"] as? Int == 6)
      #expect(foo["count"] as? Int == 1)
      let kv = try #require((foo["kvs"] as? [[String: Any]])?.first)
      #expect(kv["value"] as? String == base64("baz"))
      #expect(kv["create_revision"] as? Int == 1)
      #expect(kv["mod_revision"] as? Int == 2)
      #expect(kv["version"] as? Int == 2)
      #expect(try s.etcdctl("get", "foo", "--rev", "1") == "foo\nbar\n")
      #expect(try s.etcdctl("get", "/a", "--prefix", "--keys-only") == "/a/1\n\n/a/2\n\n/a/3\n\n")
      #expect(try s.etcdctl("get", "/a/2", "--from-key", "--keys-only") == "/a/2\n\n/a/3\n\n/b/1\n\nfoo\n\n")
      let limited = try json(try s.etcdctl("get", "/a", "--prefix", "--limit", "2", "-w", "json"))
      #expect((limited["kvs"] as? [Any])?.count == 2)
      #expect(limited["more"] as? Bool == true)
      #expect(limited["count"] as? Int == 3)
      #expect(
        try s.etcdctl("get", "/a", "--prefix", "--keys-only", "--order", "DESCEND", "--sort-by", "MODIFY")
          == "/a/3\n\n/a/2\n\n/a/1\n\n")
      #expect(try s.etcdctl("get", "foo", "--consistency", "s", "--print-value-only") == "baz\n")
    }
  }

  @Test func deleteWithPrefixAndPreviousValues() async throws {
    try await withServer { s in
      for key in ["/d/1", "/d/2", "/e"] { try s.etcdctl("put", key, "x") }
      #expect(try s.etcdctl("del", "/d", "--prefix", "--prev-kv") == "2\n/d/1\nx\n/d/2\nx\n")
      #expect(try s.etcdctl("get", "/d", "--prefix") == "")
      #expect(try s.etcdctl("del", "missing") == "0\n")
    }
  }

  @Test func interactiveTransaction() async throws {
    try await withServer { s in
      try s.etcdctl("put", "k", "v1")
      let success = try s.etcdctl("txn", input: "value(\"k\") = \"v1\"\n\nput k v2\n\nput k nope\n\n")
      #expect(success == "SUCCESS\n\nOK\n")
      let failure = try s.etcdctl("txn", input: "version(\"k\") = \"7\"\n\nput k wrong\n\nget k\n\n")
      #expect(failure == "FAILURE\n\nk\nv2\n")
    }
  }

  @Test func watchPrefixFromARevisionWithPreviousValues() async throws {
    try await withServer { s in
      try s.etcdctl("put", "/w/a", "1")
      try s.etcdctl("put", "/w/a", "2")
      try s.etcdctl("del", "/w/a")
      let watcher = Process()
      watcher.executableURL = URL(fileURLWithPath: SkiffServerProcess.etcdctl!)
      watcher.arguments = ["--endpoints", s.endpoint, "watch", "/w", "--prefix", "--rev", "2", "--prev-kv"]
      watcher.environment = ["ETCDCTL_API": "3"]
      let out = Pipe()
      watcher.standardOutput = out
      try watcher.run()
      try await Task.sleep(for: .milliseconds(700))
      try s.etcdctl("put", "/w/b", "3")
      try s.etcdctl("put", "/other", "x")
      try await Task.sleep(for: .milliseconds(700))
      kill(watcher.processIdentifier, SIGTERM)
      watcher.waitUntilExit()
      let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      #expect(text == "PUT\n/w/a\n1\n/w/a\n2\nDELETE\n/w/a\n2\n/w/a\n\nPUT\n/w/b\n3\n")
    }
  }

  @Test func leasesExpireAndRevokeTheirKeys() async throws {
    try await withServer { s in
      let granted = try s.etcdctl("lease", "grant", "60")
      let id = try #require(granted.split(separator: " ").dropFirst().first.map(String.init))
      try s.etcdctl("put", "--lease", id, "leased", "v")
      #expect(try s.etcdctl("lease", "timetolive", id, "--keys").contains("attached keys([leased])"))
      #expect(try s.etcdctl("lease", "keep-alive", "--once", id).contains("keepalived with TTL(60)"))
      #expect(try s.etcdctl("lease", "list").contains(id))
      try s.etcdctl("lease", "revoke", id)
      #expect(try s.etcdctl("get", "leased") == "")
      #expect(try s.etcdctl("lease", "timetolive", id).contains("already expired"))

      let short = try s.etcdctl("lease", "grant", "2")
      let shortID = try #require(short.split(separator: " ").dropFirst().first.map(String.init))
      try s.etcdctl("put", "--lease", shortID, "brief", "v")
      try await Task.sleep(for: .seconds(3.5))
      #expect(try s.etcdctl("get", "brief") == "")
      #expect(throws: (any Error).self) { try s.etcdctl("put", "--lease", shortID, "late", "v") }
    }
  }

  @Test func compactionRefusesOldRevisions() async throws {
    try await withServer { s in
      for value in ["1", "2", "3", "4"] { try s.etcdctl("put", "c", value) }
      #expect(try s.etcdctl("compaction", "3") == "compacted revision 3\n")
      #expect(try s.etcdctl("get", "c", "--rev", "3", "--print-value-only") == "3\n")
      let error = #expect(throws: SkiffServerProcess.Failure.self) { try s.etcdctl("get", "c", "--rev", "2") }
      #expect(error?.description.contains("required revision has been compacted") == true)
      let future = #expect(throws: SkiffServerProcess.Failure.self) { try s.etcdctl("get", "c", "--rev", "99") }
      #expect(future?.description.contains("future revision") == true)
      #expect(try s.etcdctl("compaction", "--physical", "4") == "compacted revision 4\n")
      #expect(try s.etcdctl("get", "c", "--rev", "4", "--print-value-only") == "4\n")
    }
  }

  @Test func statusHealthAndMembers() async throws {
    try await withServer { s in
      try s.etcdctl("put", "x", "y")
      let status = try json(
        try s.etcdctl("endpoint", "status", "-w", "json").trimmingCharacters(in: CharacterSet(charactersIn: "[]\n")))
      let body = try #require(status["Status"] as? [String: Any])
      #expect((body["dbSize"] as? Int ?? 0) > 0)
      #expect((body["header"] as? [String: Any])?["revision"] as? Int == 1)
      let health = try SkiffServerProcess.run(
        SkiffServerProcess.etcdctl!, ["--endpoints", s.endpoint, "endpoint", "health"], includeErrors: true)
      #expect(health.contains("is healthy"))
      #expect(try s.etcdctl("member", "list").contains(s.endpoint))
    }
  }

  @Test func oversizedRequestGetsEtcdsError() async throws {
    try await withServer { s in
      let big = String(repeating: "x", count: 1_600_000)
      let error = #expect(throws: SkiffServerProcess.Failure.self) { try s.etcdctl("put", "big", input: big) }
      #expect(error?.description.contains("request is too large") == true)
      let after = try s.etcdctl("get", "big")
      #expect(after.isEmpty)
    }
  }

  /// A debug build is too slow for this load; CI runs debug builds, so this runs on request
  /// against a release binary (Benchmarks/compare-etcd.sh runs the same check at every load).
  @Test(
    .timeLimit(.minutes(3)),
    .enabled(
      if: ProcessInfo.processInfo.environment["SKIFF_TEST_CHECK_PERF"] != nil,
      "needs a release build: SKIFF_TEST_CHECK_PERF=1 SKIFF_BINARY=.build-release/release/skiff swift test --filter checkPerf"
    ))
  func checkPerfMediumLoadPasses() async throws {
    try await withServer { s in
      let output = try s.etcdctl("check", "perf", "--load", "m")
      let summary = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).filter {
        $0.hasPrefix("PASS") || $0.hasPrefix("FAIL")
      }
      print("check perf m:", summary.joined(separator: "; "))
      #expect(summary.last == "PASS")
    }
  }
}
