import Foundation
import SkiffCore

#if canImport(Glibc)
  import Glibc
#endif

/// A real `skiff server` process on a temporary data dir and free loopback ports, stopped by
/// PID; drives it with the real etcdctl and kubectl.
public final class SkiffServerProcess: @unchecked Sendable {
  public let dataDir: String
  public let process = Process()
  public let logPath: String
  /// The Kubernetes API port (a free one unless the arguments name one).
  public let apiPort: Int
  public var socket: String { "\(dataDir)/server/db/etcd.sock" }
  public var endpoint: String { "unix://\(socket)" }
  public var kubeconfig: String { "\(dataDir)/kubeconfig.yaml" }
  /// The token test servers share unless a test passes its own `--token`.
  public static let testToken = "skiff-test-token"

  /// The skiff binary built next to the test bundle (or $SKIFF_BINARY).
  public static var binary: String {
    if let path = ProcessInfo.processInfo.environment["SKIFF_BINARY"] { return path }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
      let path = candidate.appendingPathComponent("skiff").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/skiff").path
  }

  public static var etcdctl: String? {
    ["/usr/bin/etcdctl", "/usr/local/bin/etcdctl"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  public static let hasEtcdctl = etcdctl != nil

  public static var kubectlPath: String? {
    ["/usr/local/bin/kubectl", "/usr/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Runs the server and kubectl through this, e.g. `nsenter --net=/run/netns/<name>` for a
  /// node in its own network namespace.
  public let commandPrefix: [String]

  /// `binary` is the skiff executable to run (an upgrade test runs a copy it replaces).
  public init(
    dataDir: String? = nil, arguments: [String] = [], commandPrefix: [String] = [],
    binary: String = SkiffServerProcess.binary
  ) throws {
    self.dataDir = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("skiff-e2e-\(UUID())").path
    self.commandPrefix = commandPrefix
    logPath = self.dataDir + ".log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: commandPrefix.first ?? binary)
    var extra: [String] = []
    if let index = arguments.firstIndex(of: "--https-listen-port"), let port = Int(arguments[index + 1]) {
      apiPort = port
    } else {
      apiPort = try Self.freePort()
      extra += ["--https-listen-port", String(apiPort), "--bind-address", "127.0.0.1"]
    }
    if !arguments.contains("--token") { extra += ["--token", Self.testToken] }
    // Servers in tests run no pods unless a test asks for the embedded agent.
    if !arguments.contains("--enable-agent") { extra.append("--disable-agent") }
    // Agents of tests sharing the host's network namespace must not build a pod network, a
    // service proxy or cluster DNS there.
    if arguments.contains("--enable-agent") && !arguments.contains("--network-backend") {
      extra += [
        "--network-backend", "none", "--disable-kube-proxy", "--disable-network-policy", "--disable-cluster-dns",
      ]
    }
    if !arguments.contains("--write-kubeconfig") { extra += ["--write-kubeconfig", "\(self.dataDir)/kubeconfig.yaml"] }
    process.arguments =
      Array(commandPrefix.dropFirst()) + (commandPrefix.isEmpty ? [] : [binary])
      + ["server", "--data-dir", self.dataDir] + extra + arguments.filter { $0 != "--enable-agent" }
    var environment = ProcessInfo.processInfo.environment
    environment["SKIFF_CONFIG_FILE"] = "/dev/null"
    process.environment = environment
    let log = FileHandle(forWritingAtPath: logPath)
    process.standardOutput = log
    process.standardError = log
    // A binary a test has just copied can still be open for writing in a child another thread
    // forked meanwhile (until that child execs): exec then fails with ETXTBSY for a moment.
    for attempt in 1...20 {
      do {
        try process.run()
        break
      } catch let error as NSError
        where attempt < 20 && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY)
      {
        usleep(100_000)
      }
    }
  }

  /// A loopback port nothing listens on right now.
  public static func freePort() throws -> Int {
    let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else { throw Failure("no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Waits until the etcd API (when served on its socket) and the Kubernetes API answer.
  public func waitReady(timeout: Duration = .seconds(60), etcd: Bool = true) async throws {
    let apiServer = !(process.arguments ?? []).contains("--disable-apiserver")
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if !process.isRunning { throw Failure("skiff server exited early:\n\(log)") }
      // The probes run commands: on threads of their own, never blocking the shared pool.
      var ready = true
      if etcd {
        ready = FileManager.default.fileExists(atPath: socket)
        if ready { ready = try await Blocking.run { [self] in (try? etcdctl("endpoint", "health")) != nil } }
      }
      if ready && apiServer {
        ready = try await Blocking.run { [self] in (try? kubectl("get", "--raw", "/readyz")) == "ok" }
      }
      if ready { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw Failure("skiff server not ready in \(timeout):\n\(log)")
  }

  /// Runs kubectl with this server's admin kubeconfig; throws with its output when it fails.
  @discardableResult
  public func kubectl(_ arguments: String..., input: String? = nil) throws -> String {
    try kubectl(arguments: arguments, input: input)
  }

  @discardableResult
  public func kubectl(arguments: [String], input: String? = nil) throws -> String {
    let kubectl = Self.kubectlPath ?? "kubectl"
    guard let wrapper = commandPrefix.first else {
      return try Self.run(kubectl, ["--kubeconfig", kubeconfig] + arguments, input: input)
    }
    return try Self.run(
      wrapper, Array(commandPrefix.dropFirst()) + [kubectl, "--kubeconfig", kubeconfig] + arguments, input: input)
  }

  /// Runs the skiff binary (`skiff etcd-snapshot …`, `skiff certificate …`) on a thread of its
  /// own; answers stdout and stderr, or throws a ``Failure`` carrying them.
  public static func skiff(_ arguments: [String]) async throws -> String {
    try await Blocking.run { try run(binary, arguments, includeErrors: true) }
  }

  public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// Graceful stop (SIGTERM); returns the exit status.
  @discardableResult
  public func stop() -> Int32 {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
    return process.terminationStatus
  }

  /// Crash: SIGKILL, no chance to flush anything.
  public func crash() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// Runs etcdctl against this server; throws with its output when it fails.
  @discardableResult
  public func etcdctl(_ arguments: String..., input: String? = nil) throws -> String {
    try Self.run(
      Self.etcdctl ?? "etcdctl", ["--endpoints", endpoint, "--dial-timeout", "3s"] + arguments, input: input)
  }

  @discardableResult
  public func etcdctl(arguments: [String], input: String? = nil) throws -> String {
    try Self.run(
      Self.etcdctl ?? "etcdctl", ["--endpoints", endpoint, "--dial-timeout", "3s"] + arguments, input: input)
  }

  public struct Failure: Error, CustomStringConvertible {
    public let description: String
    /// What the failed command printed (stdout and stderr), without its arguments.
    public var output = ""
    public init(_ description: String, output: String = "") {
      self.description = description
      self.output = output
    }
  }

  /// Runs a command to completion, returning stdout; stderr goes into the error on failure.
  public static func run(
    _ executable: String, _ arguments: [String], input: String? = nil, includeErrors: Bool = false
  ) throws
    -> String
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["ETCDCTL_API"] = "3"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    let stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    // Progress bars redraw with \r; keep only what each line finally shows.
    let text = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
      .map { $0.split(separator: "\r").last.map(String.init) ?? "" }.joined(separator: "\n")
    let errorText = String(decoding: errors, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      throw Failure(
        "\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text)\(errorText)",
        output: text + errorText)
    }
    return includeErrors ? text + errorText : text
  }

  deinit {
    crash()
  }
}
