import Foundation
import Glibc
import SkiffTestSupport
import Testing

/// `skiff agent` as a second node on the same machine (its own data dir, node name and kubelet
/// port), joining the server with its token; refused with a wrong token or CA hash.
@Suite(.enabled(if: AgentCluster.canRun, "\(AgentCluster.skipReason ?? "")"), .serialized)
struct AgentJoinTests {
  /// A `skiff agent` process, stopped by PID.
  final class AgentProcess: @unchecked Sendable {
    let process = Process()
    let dataDir: String
    let logPath: String

    init(server: Int, token: String, nodeName: String) throws {
      dataDir = try TestImage.temporaryDirectory("agent2")
      logPath = dataDir + ".log"
      try FileManager.default.createDirectory(atPath: dataDir + "/agent/images", withIntermediateDirectories: true)
      try TestImage.writeOCIArchive(to: dataDir + "/agent/images/busybox.tar")
      _ = FileManager.default.createFile(atPath: logPath, contents: nil)
      process.executableURL = URL(fileURLWithPath: SkiffServerProcess.binary)
      process.arguments = [
        "agent", "--server", "https://127.0.0.1:\(server)", "--token", token, "--data-dir", dataDir, "--node-name",
        nodeName, "--node-ip", "127.0.0.1", "--kubelet-port", String(try SkiffServerProcess.freePort()),
        // On the host's network namespace: no pod network, proxy or DNS of its own.
        "--network-backend", "none", "--disable-kube-proxy", "--disable-network-policy", "--disable-cluster-dns",
      ]
      var environment = ProcessInfo.processInfo.environment
      environment["SKIFF_CONFIG_FILE"] = "/dev/null"
      process.environment = environment
      let log = FileHandle(forWritingAtPath: logPath)
      process.standardOutput = log
      process.standardError = log
      try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit by itself; nil if it is still running after `timeout`.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
      let deadline = ContinuousClock.now + timeout
      while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
      return process.isRunning ? nil : process.terminationStatus
    }

    func stop(cluster: AgentCluster) {
      if process.isRunning {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
      }
      cluster.cleanUp(dataDir: dataDir)
      try? FileManager.default.removeItem(atPath: logPath)
    }
  }

  @Test func aSecondAgentJoinsWithTheTokenAndRunsPods() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    let token = try String(contentsOfFile: cluster.dataDir + "/server/token", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let name = "\(cluster.nodeName)-b"
    let agent = try AgentProcess(server: cluster.server.apiPort, token: token, nodeName: name)
    defer { agent.stop(cluster: cluster) }
    try await cluster.eventually("second node Ready", timeout: .seconds(90)) {
      await cluster.jsonpath("node/\(name)", "{.status.conditions[?(@.type==\"Ready\")].status}") == "True"
    }
    #expect(
      await cluster.jsonpath("node/\(name)", "{.metadata.labels.node-role\\.kubernetes\\.io/control-plane}") == "")
    #expect(
      await cluster.jsonpath("node/\(cluster.nodeName)", "{.metadata.labels.node-role\\.kubernetes\\.io/control-plane}")
        == "true")
    try await cluster.kubectl(
      "run", "on-b", "--image=busybox:test", "--restart=Never",
      "--overrides={\"spec\":{\"nodeName\":\"\(name)\",\"terminationGracePeriodSeconds\":0}}", "--command", "--",
      "sleep", "3600")
    try await cluster.eventually("pod running on the second node", timeout: .seconds(60)) {
      await cluster.jsonpath("pod/on-b", "{.status.phase}") == "Running"
    }
    let csrs = try await cluster.kubectl("get", "csr")
    #expect(csrs.contains("system:node:\(name)") || csrs.contains("kubelet"))
    try await cluster.kubectl("delete", "pod", "on-b", "--wait=true", "--timeout=60s")
  }

  @Test func wrongTokenOrCAHashIsRefusedWithAReason() async throws {
    let cluster = try await AgentCluster()
    defer { cluster.stop() }
    let token = try String(contentsOfFile: cluster.dataDir + "/server/token", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let wrongSecret = String(token[..<token.range(of: "::")!.upperBound]) + "server:not-the-secret"
    let refused = try AgentProcess(server: cluster.server.apiPort, token: wrongSecret, nodeName: "intruder-1")
    defer { refused.stop(cluster: cluster) }
    let status = try await refused.exitStatus(within: .seconds(60))
    #expect(status != nil && status != 0, "\(refused.log)")
    #expect(refused.log.contains("401"), "\(refused.log)")

    let wrongHash = "K10" + String(repeating: "0", count: 64) + String(token[token.range(of: "::")!.lowerBound...])
    let mismatched = try AgentProcess(server: cluster.server.apiPort, token: wrongHash, nodeName: "intruder-2")
    defer { mismatched.stop(cluster: cluster) }
    let mismatchStatus = try await mismatched.exitStatus(within: .seconds(60))
    #expect(mismatchStatus != nil && mismatchStatus != 0, "\(mismatched.log)")
    #expect(mismatched.log.contains("no credential was sent"), "\(mismatched.log)")
    #expect((try? await cluster.kubectl("get", "node", "intruder-1")) == nil)
    #expect((try? await cluster.kubectl("get", "node", "intruder-2")) == nil)
  }
}
