import Dispatch
import Foundation
import Glibc
import Runtime
import SkiffCore
import SkiffTestSupport

/// Network namespaces the test creates, one per node, joined by veth pairs on 192.168.77.0/24:
/// the nodes' "LAN". Every namespace and interface it makes goes in `remove()`.
final class PodNetworkTopology: @unchecked Sendable {
  let prefix = "sknet\(UInt16.random(in: 0...UInt16.max))"
  private(set) var namespaces: [String] = []
  static let ip = "/usr/sbin/ip"

  static var skipReason: String? {
    if geteuid() != 0 { return "needs root (network namespaces, bridges, VXLAN)" }
    if !FileManager.default.isExecutableFile(atPath: ip) { return "needs iproute2 (/usr/sbin/ip)" }
    if !FileManager.default.isExecutableFile(atPath: "/usr/bin/nsenter") { return "needs util-linux nsenter" }
    if !TestImage.busyboxAvailable { return "needs Debian's busybox-static at /bin/busybox" }
    if SkiffServerProcess.kubectlPath == nil { return "needs kubectl" }
    return nil
  }

  /// The node namespace names and their LAN addresses (192.168.77.1, .2, ...).
  func node(_ index: Int) -> (namespace: String, address: String) { ("\(prefix)-\(index)", "192.168.77.\(index + 1)") }

  /// `nsenter` into node `index`'s network namespace only (the mount namespace stays shared,
  /// so the test can clean up what the agent's containers mounted).
  func enter(_ index: Int) -> [String] { ["/usr/bin/nsenter", "--net=/run/netns/\(node(index).namespace)"] }

  /// Creates `count` node namespaces, each with loopback up and a veth `lan0` to a LAN
  /// bridge in the first namespace's peer namespace.
  init(nodes count: Int) throws {
    let lan = "\(prefix)-lan"
    try Self.run(["netns", "add", lan])
    namespaces.append(lan)
    try Self.run(["-n", lan, "link", "add", "lan", "type", "bridge"])
    try Self.run(["-n", lan, "link", "set", "lan", "up"])
    for index in 0..<count {
      let (namespace, address) = node(index)
      try Self.run(["netns", "add", namespace])
      namespaces.append(namespace)
      try Self.run(["-n", namespace, "link", "set", "lo", "up"])
      try Self.run([
        "-n", namespace, "link", "add", "lan0", "type", "veth", "peer", "name", "port\(index)", "netns", lan,
      ])
      try Self.run(["-n", namespace, "addr", "add", "\(address)/24", "dev", "lan0"])
      try Self.run(["-n", namespace, "link", "set", "lan0", "up"])
      try Self.run(["-n", lan, "link", "set", "port\(index)", "master", "lan", "up"])
    }
  }

  /// Deletes every namespace it created (their interfaces go with them).
  func remove() {
    for namespace in namespaces.reversed() { _ = try? Self.run(["netns", "del", namespace]) }
    namespaces = []
  }

  @discardableResult
  static func run(_ arguments: [String]) throws -> String { try SkiffServerProcess.run(ip, arguments) }

  /// `ip -n <node> <arguments>`.
  func ip(_ index: Int, _ arguments: String...) throws -> String {
    try Self.run(["-n", node(index).namespace] + arguments)
  }
}

/// A `skiff agent` process inside a node namespace, stopped by PID.
final class NetnsAgent: @unchecked Sendable {
  let process = Process()
  let dataDir: String
  let logPath: String

  init(topology: PodNetworkTopology, index: Int, server: String, token: String, arguments: [String]) throws {
    dataDir = try TestImage.temporaryDirectory("netagent")
    logPath = dataDir + ".log"
    try FileManager.default.createDirectory(atPath: dataDir + "/agent/images", withIntermediateDirectories: true)
    try TestImage.writeOCIArchive(to: dataDir + "/agent/images/busybox.tar")
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    let enter = topology.enter(index)
    process.executableURL = URL(fileURLWithPath: enter[0])
    process.arguments =
      Array(enter.dropFirst()) + [
        SkiffServerProcess.binary, "agent", "--server", server, "--token", token, "--data-dir", dataDir,
        "--node-ip", topology.node(index).address, "--kubelet-port", "10250",
      ] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["SKIFF_CONFIG_FILE"] = "/dev/null"
    process.environment = environment
    let log = FileHandle(forWritingAtPath: logPath)
    process.standardOutput = log
    process.standardError = log
    try process.run()
  }

  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  func stop() {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }
}

/// Removes the containers and sandboxes an agent left (agents keep them on purpose), then its data dir.
func removeAgentState(dataDir: String) {
  if let images = try? ImageStore(root: dataDir + "/agent/images"),
    let runtime = try? ContainerRuntime(root: dataDir + "/agent", images: images)
  {
    for status in runtime.list() { try? runtime.remove(status.id, force: true) }
    for sandbox in runtime.listSandboxes() { try? runtime.removeSandbox(id: sandbox.id) }
  }
  for pod in (try? FileManager.default.contentsOfDirectory(atPath: dataDir + "/agent/pods")) ?? [] {
    for volume in (try? FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/agent/pods/\(pod)/volumes")) ?? [] {
      umount2("\(dataDir)/agent/pods/\(pod)/volumes/\(volume)", Int32(MNT_DETACH))
    }
  }
  try? FileManager.default.removeItem(atPath: dataDir)
}

/// Runs blocking work (kubectl, ip) on a thread of its own, never on the shared pool.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await Blocking.run(body)
}
