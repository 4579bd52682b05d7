import Foundation

/// Runs `ip` (iproute2) with arguments; behind a protocol so interface handling is tested
/// with a recording runner and the real command in a privileged test.
protocol LinkCommandRunner: Sendable {
  /// Runs `ip <arguments>`; throws with its stderr when it fails.
  func run(_ arguments: [String]) throws(AddonsError)
}

struct IPCommandRunner: LinkCommandRunner {
  static var executable: String {
    ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
      ?? "/usr/sbin/ip"
  }

  func run(_ arguments: [String]) throws(AddonsError) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.executable)
    process.arguments = arguments
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw AddonsError(.io, "cannot run \(Self.executable): \(error); install iproute2")
    }
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw AddonsError(
        .io,
        "ip \(arguments.joined(separator: " ")) failed: "
          + String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }
}

/// The node's `skiff-dns` dummy interface holding the cluster DNS Service IP as a /32 (or
/// /128), so the server can bind that address and pods reach it through their gateway.
struct DummyInterface: Sendable {
  let runner: any LinkCommandRunner
  let namespace: String?

  private func ip(_ arguments: [String]) throws(AddonsError) {
    try runner.run((namespace.map { ["-n", $0] } ?? []) + arguments)
  }

  /// Creates the interface if missing, sets the address, brings it up; safe to repeat.
  func ensure(name: String, address: String) throws(AddonsError) {
    guard let parsed = IPAddress(address) else {
      throw AddonsError(.invalidConfiguration, "invalid cluster DNS address \"\(address)\"")
    }
    do {
      try ip(["link", "add", name, "type", "dummy"])
    } catch  where error.message.contains("File exists") {
      // Left over from an earlier run: reuse it.
    }
    try ip(["addr", "replace", "\(parsed)/\(parsed.isIPv4 ? 32 : 128)", "dev", name])
    try ip(["link", "set", name, "up"])
  }

  /// Deletes the interface (and with it the address).
  func remove(name: String) throws(AddonsError) {
    try ip(["link", "del", name])
  }
}
