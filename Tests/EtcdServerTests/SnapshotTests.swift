import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// `skiff etcd-snapshot` and `skiff server --cluster-reset-restore-path` with the real binary and
/// kubectl: a snapshot taken while the server runs restores exactly what existed at that moment.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct SnapshotTests {
  func kubectl(_ server: SkiffServerProcess, _ arguments: String...) async throws -> String {
    try await Blocking.run { try server.kubectl(arguments: arguments) }
  }

  @Test func saveListPruneAndRestoreWithDataWrittenBetween() async throws {
    var server = try SkiffServerProcess()
    let dataDir = server.dataDir
    defer {
      server.stop()
      try? FileManager.default.removeItem(atPath: dataDir)
    }
    try await server.waitReady()
    try await kubectl(server, "create", "configmap", "before", "--from-literal=k=v")

    let saved = try await SkiffServerProcess.skiff(["etcd-snapshot", "save", "--data-dir", dataDir])
    #expect(saved.contains("Snapshot on-demand-"))
    try await kubectl(server, "create", "configmap", "after", "--from-literal=k=v")
    try await kubectl(server, "delete", "configmap", "before")

    let listed = try await SkiffServerProcess.skiff(["etcd-snapshot", "ls", "--data-dir", dataDir])
    let names = listed.split(separator: "\n").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    #expect(names.count == 1 && names[0].hasPrefix("on-demand-"))
    let snapshot = "\(dataDir)/server/db/snapshots/\(names[0])"
    let mode = try FileManager.default.attributesOfItem(atPath: snapshot)[.posixPermissions] as? Int
    #expect(mode == 0o600)

    // Restore: only with the server stopped; it exits after swapping the database in.
    server.stop()
    let reset = try await SkiffServerProcess.skiff([
      "server", "--data-dir", dataDir, "--cluster-reset", "--cluster-reset-restore-path", snapshot,
    ])
    #expect(reset.contains("restart skiff server without --cluster-reset"))
    let kept = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/server/db")
    #expect(kept.contains { $0.hasPrefix("state.db.before-restore-") })

    server = try SkiffServerProcess(dataDir: dataDir)
    try await server.waitReady()
    let configMaps = try await kubectl(server, "get", "configmaps", "-o", "name")
    #expect(configMaps.contains("configmap/before") && !configMaps.contains("configmap/after"))

    // Pruning keeps the newest; unknown names and garbage files are refused with clear messages.
    _ = try await SkiffServerProcess.skiff(["etcd-snapshot", "save", "--data-dir", dataDir])
    try await Task.sleep(for: .seconds(1.1))
    _ = try await SkiffServerProcess.skiff(["etcd-snapshot", "save", "--data-dir", dataDir])
    let pruned = try await SkiffServerProcess.skiff([
      "etcd-snapshot", "prune", "--data-dir", dataDir, "--snapshot-retention", "1",
    ])
    #expect(pruned.split(separator: "\n").count == 2)
    let missing = await #expect(throws: SkiffServerProcess.Failure.self) {
      try await SkiffServerProcess.skiff(["etcd-snapshot", "delete", "--data-dir", dataDir, "no-such-snapshot"])
    }
    #expect(missing?.output.contains("no snapshot named no-such-snapshot") == true)
    let garbage = "\(dataDir)/garbage"
    FileManager.default.createFile(atPath: garbage, contents: Data("not a database".utf8))
    server.stop()
    let refused = await #expect(throws: SkiffServerProcess.Failure.self) {
      try await SkiffServerProcess.skiff([
        "server", "--data-dir", dataDir, "--cluster-reset", "--cluster-reset-restore-path", garbage,
      ])
    }
    #expect(refused?.output.contains("cannot restore") == true)
    let postgres = await #expect(throws: SkiffServerProcess.Failure.self) {
      try await SkiffServerProcess.skiff([
        "etcd-snapshot", "save", "--datastore-endpoint", "postgres://u:p@127.0.0.1/db",
      ])
    }
    #expect(postgres?.output.contains("pg_dump") == true)
  }
}
