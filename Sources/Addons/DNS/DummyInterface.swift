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
/// /128), so the server can bind that address and pods reach it through their gateway. Kernels
/// built without dummy links (some VM kernels) get the address on `lo` instead, which the
/// kernel delivers locally just the same.
struct DummyInterface: Sendable {
  /// Where the address went, so cleanup removes exactly that.
  enum Placement: Equatable, Sendable {
    case dummy(String)
    case loopback(String)
  }

  let runner: any LinkCommandRunner
  let namespace: String?

  private func ip(_ arguments: [String]) throws(AddonsError) {
    try runner.run((namespace.map { ["-n", $0] } ?? []) + arguments)
  }

  /// Creates the interface if missing, sets the address, brings it up; safe to repeat.
  func ensure(name: String, address: String) throws(AddonsError) -> Placement {
    guard let parsed = IPAddress(address) else {
      throw AddonsError(.invalidConfiguration, "invalid cluster DNS address \"\(address)\"")
    }
    let prefix = "\(parsed)/\(parsed.isIPv4 ? 32 : 128)"
    do {
      try ip(["link", "add", name, "type", "dummy"])
    } catch  where error.message.contains("File exists") {
      // Left over from an earlier run: reuse it.
    } catch  where error.message.contains("Unknown device type") || error.message.contains("not supported") {
      try ip(["addr", "replace", prefix, "dev", "lo"])
      return .loopback(prefix)
    }
    try ip(["addr", "replace", prefix, "dev", name])
    try ip(["link", "set", name, "up"])
    return .dummy(name)
  }

  /// Deletes the interface (and with it the address), or the address from `lo`.
  func remove(_ placement: Placement) throws(AddonsError) {
    switch placement {
    case .dummy(let name): try ip(["link", "del", name])
    case .loopback(let prefix): try ip(["addr", "del", prefix, "dev", "lo"])
    }
  }
}
