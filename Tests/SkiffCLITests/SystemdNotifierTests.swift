import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

@testable import SkiffCLI

/// sd_notify: datagrams on a real unix socket, and a real server telling READY=1 and STOPPING=1.
@Suite struct SystemdNotifierTests {
  /// A bound unix datagram socket standing where systemd's would.
  final class Listener: @unchecked Sendable {
    let fd: Int32
    let path: String

    init(path: String) throws {
      self.path = path
      fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
      var address = sockaddr_un()
      address.sun_family = sa_family_t(AF_UNIX)
      var name = Array(path.utf8)
      let abstract = name.first == UInt8(ascii: "@")
      if abstract { name[0] = 0 }
      withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in name.enumerated() { buffer[index] = byte }
      }
      let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count + (abstract ? 0 : 1))
      let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
      }
      guard fd >= 0, bound == 0 else { throw SkiffServerProcess.Failure("cannot bind \(path): errno \(errno)") }
    }

    /// The next datagram, or nil after `seconds`; blocks, so it runs on a thread of its own.
    func receive(seconds: Int) async -> String? {
      await withCheckedContinuation { continuation in
        Thread { [fd] in
          var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
          guard poll(&entry, 1, Int32(seconds * 1000)) == 1 else { return continuation.resume(returning: nil) }
          var buffer = [UInt8](repeating: 0, count: 4096)
          let count = recv(fd, &buffer, buffer.count, 0)
          continuation.resume(returning: count < 0 ? nil : String(decoding: buffer.prefix(count), as: UTF8.self))
        }.start()
      }
    }

    deinit {
      close(fd)
      if !path.hasPrefix("@") { unlink(path) }
    }
  }

  @Test func sendsToAPathSocket() async throws {
    let directory = try Command.temporaryDirectory("notify")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let listener = try Listener(path: directory + "/notify.sock")
    let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path])
    #expect(notifier.notify("READY=1\nSTATUS=test"))
    #expect(await listener.receive(seconds: 5) == "READY=1\nSTATUS=test")
  }

  @Test func sendsToAnAbstractSocket() async throws {
    let listener = try Listener(path: "@skiff-notify-test-\(UUID().uuidString.prefix(8))")
    let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path])
    #expect(notifier.notify("STOPPING=1"))
    #expect(await listener.receive(seconds: 5) == "STOPPING=1")
  }

  @Test func withoutTheVariableNothingIsSent() {
    #expect(!SystemdNotifier(environment: [:]).notify("READY=1"))
    #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]).notify("READY=1"))
  }

  /// Starts `skiff` with `arguments`, notifying `listener`, its output discarded.
  static func launch(_ arguments: [String], notifying listener: Listener) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: SkiffServerProcess.binary)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["NOTIFY_SOCKET"] = listener.path
    environment["SKIFF_CONFIG_FILE"] = "/dev/null"
    process.environment = environment
    let log = FileHandle(forWritingAtPath: "/dev/null")
    process.standardOutput = log
    process.standardError = log
    try process.run()
    return process
  }

  /// A real `skiff server`: READY=1 once the API answers, STOPPING=1 on SIGTERM.
  @Test func serverNotifiesReadyAndStopping() async throws {
    let directory = try Command.temporaryDirectory("notify-server")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let listener = try Listener(path: directory + "/notify.sock")
    let port = try SkiffServerProcess.freePort()
    let process = try Self.launch(
      [
        "server", "--data-dir", directory + "/data", "--https-listen-port", String(port), "--bind-address", "127.0.0.1",
        "--disable-agent", "--token", SkiffServerProcess.testToken, "--write-kubeconfig", directory + "/kubeconfig",
        "--etcd-listen", "",
      ], notifying: listener)
    defer {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    let ready = await listener.receive(seconds: 120)
    #expect(ready?.hasPrefix("READY=1\n") == true, "\(ready ?? "nothing")")
    // READY=1 means serving: the API answers now, with no retry.
    if let kubectl = SkiffServerProcess.kubectlPath {
      let readyz = try await Command.run(
        kubectl, ["--kubeconfig", directory + "/kubeconfig", "get", "--raw", "/readyz"])
      #expect(readyz.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(readyz.output)")
    }
    kill(process.processIdentifier, SIGTERM)
    let stopping = await listener.receive(seconds: 30)
    #expect(stopping == "STOPPING=1")
    try await Blocking.run { process.waitUntilExit() }
  }

  /// A real `skiff agent` joining a real server: READY=1 once its Node exists, STOPPING=1 on SIGTERM.
  @Test(.enabled(if: Command.isRoot, "an agent runs containers: needs root"))
  func agentNotifiesOnceRegistered() async throws {
    let server = try SkiffServerProcess()
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    let directory = try Command.temporaryDirectory("notify-agent")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let listener = try Listener(path: directory + "/notify.sock")
    let token = try String(contentsOfFile: server.dataDir + "/server/token", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let node = "notify-\(UUID().uuidString.prefix(8).lowercased())"
    let process = try Self.launch(
      [
        "agent", "--server", "https://127.0.0.1:\(server.apiPort)", "--token", token, "--data-dir", directory + "/data",
        "--node-name", node, "--node-ip", "127.0.0.1", "--kubelet-port", String(try SkiffServerProcess.freePort()),
        // On the host's network namespace: no pod network, proxy or DNS of its own.
        "--network-backend", "none", "--disable-kube-proxy", "--disable-network-policy", "--disable-cluster-dns",
      ], notifying: listener)
    defer {
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    let ready = await listener.receive(seconds: 120)
    #expect(ready == "READY=1\nSTATUS=node \(node) registered", "\(ready ?? "nothing")")
    let nodes = try await Command.run(
      SkiffServerProcess.kubectlPath ?? "kubectl",
      ["--kubeconfig", server.kubeconfig, "get", "node", node, "-o", "name"])
    #expect(nodes.output.trimmingCharacters(in: .whitespacesAndNewlines) == "node/\(node)", "\(nodes.output)")
    kill(process.processIdentifier, SIGTERM)
    #expect(await listener.receive(seconds: 30) == "STOPPING=1")
    try await Blocking.run { process.waitUntilExit() }
  }
}
