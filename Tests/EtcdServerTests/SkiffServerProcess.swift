import Foundation
import Testing

/// A real `skiff server` process on a temporary data dir, stopped by PID.
final class SkiffServerProcess: @unchecked Sendable {
  let dataDir: String
  let process = Process()
  let logPath: String
  var socket: String { "\(dataDir)/server/db/etcd.sock" }
  var endpoint: String { "unix://\(socket)" }

  /// The skiff binary built next to the test bundle (or $SKIFF_BINARY).
  static var binary: String {
    if let path = ProcessInfo.processInfo.environment["SKIFF_BINARY"] { return path }
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundle, bundle.deletingLastPathComponent()] {
      let path = candidate.appendingPathComponent("skiff").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/skiff").path
  }

  static var etcdctl: String? {
    ["/usr/bin/etcdctl", "/usr/local/bin/etcdctl"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  static let hasEtcdctl = etcdctl != nil

  init(dataDir: String? = nil, arguments: [String] = []) throws {
    self.dataDir = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("skiff-e2e-\(UUID())").path
    logPath = self.dataDir + ".log"
    _ = FileManager.default.createFile(atPath: logPath, contents: nil)
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = ["server", "--data-dir", self.dataDir] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["SKIFF_CONFIG_FILE"] = "/dev/null"
    process.environment = environment
    let log = FileHandle(forWritingAtPath: logPath)
    process.standardOutput = log
    process.standardError = log
    try process.run()
  }

  /// Waits until the etcd API answers.
  func waitReady(timeout: Duration = .seconds(30)) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if !process.isRunning { throw Failure("skiff server exited early:\n\(log)") }
      if FileManager.default.fileExists(atPath: socket), (try? etcdctl("endpoint", "health")) != nil { return }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw Failure("skiff server not ready in \(timeout):\n\(log)")
  }

  var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

  /// Graceful stop (SIGTERM); returns the exit status.
  @discardableResult
  func stop() -> Int32 {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
    return process.terminationStatus
  }

  /// Crash: SIGKILL, no chance to flush anything.
  func crash() {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// Runs etcdctl against this server; throws with its output when it fails.
  @discardableResult
  func etcdctl(_ arguments: String..., input: String? = nil) throws -> String {
    try Self.run(
      Self.etcdctl ?? "etcdctl", ["--endpoints", endpoint, "--dial-timeout", "3s"] + arguments, input: input)
  }

  @discardableResult
  func etcdctl(arguments: [String], input: String? = nil) throws -> String {
    try Self.run(
      Self.etcdctl ?? "etcdctl", ["--endpoints", endpoint, "--dial-timeout", "3s"] + arguments, input: input)
  }

  struct Failure: Error, CustomStringConvertible {
    let description: String
    /// What the failed command printed (stdout and stderr), without its arguments.
    var output = ""
    init(_ description: String, output: String = "") {
      self.description = description
      self.output = output
    }
  }

  /// Runs a command to completion, returning stdout; stderr goes into the error on failure.
  static func run(_ executable: String, _ arguments: [String], input: String? = nil, includeErrors: Bool = false) throws
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

/// Decodes etcdctl's `-w json` output.
func json(_ text: String) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
