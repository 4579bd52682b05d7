import Dispatch
import Foundation
import Glibc
import Runtime
import SkiffCore
import SkiffTestSupport

/// A real `skiff server` with its embedded agent (root, real kernel) and the busybox test image
/// in the node's image drop directory, driven with the real kubectl.
final class AgentCluster: @unchecked Sendable {
  private(set) var server: SkiffServerProcess
  let arguments: [String]
  let nodeName: String
  let dataDir: String
  let kubeletPort: Int
  /// The skiff executable the server runs: the build's, or with `ownBinary` a copy in the data
  /// directory that a test can replace under the running cluster as an upgrade does.
  let binary: String

  static var skipReason: String? {
    if geteuid() != 0 { return "needs root (namespaces, mounts, cgroups)" }
    if !TestImage.busyboxAvailable { return "needs Debian's busybox-static at /bin/busybox" }
    if SkiffServerProcess.kubectlPath == nil { return "needs kubectl" }
    return nil
  }

  static var canRun: Bool { skipReason == nil }

  init(extraArguments: [String] = [], ownBinary: Bool = false) async throws {
    dataDir = try TestImage.temporaryDirectory("agent")
    nodeName = "skiff-test-\(UInt32.random(in: 0...UInt32.max))"
    kubeletPort = try SkiffServerProcess.freePort()
    try FileManager.default.createDirectory(atPath: dataDir + "/agent/images", withIntermediateDirectories: true)
    try TestImage.writeOCIArchive(to: dataDir + "/agent/images/busybox.tar")
    binary = ownBinary ? dataDir + "/skiff" : SkiffServerProcess.binary
    if ownBinary { try FileManager.default.copyItem(atPath: SkiffServerProcess.binary, toPath: binary) }
    arguments =
      [
        "--enable-agent", "--node-name", nodeName, "--node-ip", "127.0.0.1", "--kubelet-port", String(kubeletPort),
      ] + extraArguments
    server = try SkiffServerProcess(dataDir: dataDir, arguments: arguments, binary: binary)
    try await server.waitReady(timeout: .seconds(120), etcd: false)
    try await eventually("node \(nodeName) Ready", timeout: .seconds(60)) {
      try await kubectl("get", "node", nodeName, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
        == "True"
    }
  }

  /// Stops the server (SIGTERM) and starts it again on the same data dir.
  func restart() async throws {
    server.stop()
    server = try SkiffServerProcess(dataDir: dataDir, arguments: arguments, binary: binary)
    try await server.waitReady(timeout: .seconds(120), etcd: false)
  }

  /// Replaces the executable the way `install.sh` and dpkg do (a new file renamed over the old
  /// one, while the old one still runs), then restarts the server from it.
  func upgrade() async throws {
    guard binary != SkiffServerProcess.binary else {
      throw SkiffServerProcess.Failure("upgrade() needs AgentCluster(ownBinary: true)")
    }
    try? FileManager.default.removeItem(atPath: binary + ".new")
    try FileManager.default.copyItem(atPath: SkiffServerProcess.binary, toPath: binary + ".new")
    guard rename(binary + ".new", binary) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    try await restart()
  }

  /// kubectl on a thread of its own: blocking a shared pool thread would starve the in-process
  /// servers other suites run at the same time.
  @discardableResult
  func kubectl(_ arguments: String..., input: String? = nil) async throws -> String {
    let server = self.server
    return try await Blocking.run {
      try server.kubectl(arguments: arguments, input: input).trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  func jsonpath(_ resource: String, _ path: String, namespace: String = "default") async -> String {
    (try? await kubectl("-n", namespace, "get", resource, "-o", "jsonpath=\(path)")) ?? ""
  }

  /// Polls `condition` until it holds; the failure shows the server log's tail.
  func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool)
    async throws
  {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if (try? await condition()) == true { return }
      try await Task.sleep(for: .milliseconds(250))
    }
    let pods = (try? await kubectl("get", "pods", "-A", "-o", "wide")) ?? ""
    let events = (try? await kubectl("get", "events", "-A")) ?? ""
    throw SkiffServerProcess.Failure(
      "timed out waiting for \(what)\npods:\n\(pods)\nevents:\n\(events)\nlog tail:\n\(server.log.suffix(4000))")
  }

  func stop() {
    server.stop()
    cleanUp(dataDir: dataDir)
  }

  /// Stops every container and sandbox the agent left (the agent keeps them on purpose) and removes the data dir.
  func cleanUp(dataDir: String) {
    if let images = try? ImageStore(root: dataDir + "/agent/images"),
      let runtime = try? ContainerRuntime(root: dataDir + "/agent", images: images)
    {
      for status in runtime.list() { try? runtime.remove(status.id, force: true) }
      for sandbox in runtime.listSandboxes() { try? runtime.removeSandbox(id: sandbox.id) }
    }
    for pod in (try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/agent/pods")) ?? [] {
      for volume in (try? FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/agent/pods/\(pod)/volumes")) ?? []
      {
        umount2("\(dataDir)/agent/pods/\(pod)/volumes/\(volume)", Int32(MNT_DETACH))
      }
    }
    try? FileManager.default.removeItem(atPath: dataDir)
  }
}
