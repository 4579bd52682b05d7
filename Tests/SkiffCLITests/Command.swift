import Foundation
import SkiffCore

/// A finished command: its exit status and what it printed (stdout and stderr together).
struct CommandResult: Sendable {
  let status: Int32
  let output: String
}

/// Runs commands for the script and CLI tests, on a Dispatch thread: a blocking wait on Swift's
/// few cooperative threads would starve the in-process servers other suites run meanwhile.
enum Command {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

  static var isRoot: Bool { getuid() == 0 }

  static func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    directory: String? = nil
  ) async throws -> CommandResult {
    try await Blocking.run { try runBlocking(executable, arguments, environment: environment, directory: directory) }
  }

  /// `bash -c script` with extra environment variables on top of this process's.
  static func bash(_ script: String, environment: [String: String] = [:]) async throws -> CommandResult {
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    return try await run("/bin/bash", ["-c", script], environment: merged, directory: repository)
  }

  static func runBlocking(
    _ executable: String, _ arguments: [String], environment: [String: String]?, directory: String?
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // A file, not a pipe: background children that keep the pipe open would block the read.
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-cmd-\(UUID()).log").path
    FileManager.default.createFile(atPath: log, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: log) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try handle.close()
    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, output: output)
  }

  static func temporaryDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-\(label)-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
