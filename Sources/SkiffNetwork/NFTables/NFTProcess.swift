import Foundation
import SkiffCore

/// Runs a host tool (nft, conntrack), optionally inside a network namespace through
/// `nsenter --net=<path>`, feeding stdin and collecting output without blocking the
/// cooperative thread pool: the wait happens in Foundation's termination handler.
struct NFTProcess: Sendable {
  struct Result: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// `/run/netns/<name>` or `/proc/<pid>/ns/net`; nil for the agent's own namespace.
  var networkNamespace: String?

  static func locate(_ tool: String) -> String? {
    for directory in ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"] {
      let path = "\(directory)/\(tool)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  func run(_ tool: String, _ arguments: [String], input: String? = nil) async throws(NetworkError) -> Result {
    guard let path = Self.locate(tool) else {
      throw NetworkError(.unsupported, "\(tool) not found; install the Debian package that ships it")
    }
    var executable = path
    var argv = arguments
    if let networkNamespace {
      guard let nsenter = Self.locate("nsenter") else {
        throw NetworkError(.unsupported, "nsenter not found; install util-linux to run \(tool) in \(networkNamespace)")
      }
      executable = nsenter
      argv = ["--net=\(networkNamespace)", "--", path] + arguments
    }
    do {
      return try await Self.spawn(executable, argv, input: input)
    } catch {
      throw NetworkError(.kernel, "could not run \(tool): \(error)")
    }
  }

  /// Spawns and waits with blocking reads on threads of their own (never Dispatch's pool, which
  /// Swift's tasks share): Foundation's pipe `readabilityHandler` crashes libdispatch on Linux
  /// when handles close under it.
  private static func spawn(_ executable: String, _ arguments: [String], input: String?) async throws -> Result {
    try await Blocking.run {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: executable)
      process.arguments = arguments
      let stdin = Pipe()
      let stdout = Pipe()
      let stderr = Pipe()
      process.standardInput = stdin
      process.standardOutput = stdout
      process.standardError = stderr
      try process.run()
      let outputs = OutputCollector()
      let done = DispatchGroup()
      let data = Data((input ?? "").utf8)
      // Large rulesets exceed the pipe buffer: write and read concurrently.
      done.enter()
      Thread {
        try? stdin.fileHandleForWriting.write(contentsOf: data)
        try? stdin.fileHandleForWriting.close()
        done.leave()
      }.start()
      done.enter()
      Thread {
        outputs.append(stdout.fileHandleForReading.readDataToEndOfFile(), error: false)
        done.leave()
      }.start()
      outputs.append(stderr.fileHandleForReading.readDataToEndOfFile(), error: true)
      done.wait()
      process.waitUntilExit()
      let (out, err) = outputs.strings
      return Result(status: process.terminationStatus, stdout: out, stderr: err)
    }
  }
}

/// Output gathered by reader threads.
private final class OutputCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var out = Data()
  private var err = Data()

  func append(_ data: Data, error: Bool) {
    guard !data.isEmpty else { return }
    lock.withLock {
      if error { err.append(data) } else { out.append(data) }
    }
  }

  var strings: (String, String) {
    lock.withLock { (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self)) }
  }
}
