import Foundation

/// The files host checks read, under a root: `/` on a real machine, a directory tree shaped
/// like /proc, /sys and /lib/modules in tests.
struct HostFiles: Sendable {
  let root: String

  init(root: String = "/") {
    self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
  }

  func path(_ absolute: String) -> String { root + absolute }

  func exists(_ absolute: String) -> Bool { FileManager.default.fileExists(atPath: path(absolute)) }

  /// A text file, or nil when absent or unreadable. `.gz` files (such as /proc/config.gz) are
  /// decompressed with gzip.
  func read(_ absolute: String) -> String? {
    let full = path(absolute)
    if absolute.hasSuffix(".gz") {
      guard FileManager.default.fileExists(atPath: full) else { return nil }
      return Self.gunzip(full)
    }
    // FileHandle, because /proc files report size 0 and some readers stop there.
    guard let handle = FileHandle(forReadingAtPath: full) else { return nil }
    defer { try? handle.close() }
    guard let data = try? handle.readToEnd() else { return "" }
    return String(decoding: data, as: UTF8.self)
  }

  /// The first executable called `name` in the usual binary directories.
  func executable(_ name: String) -> String? {
    for directory in ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"] {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path(candidate)) { return candidate }
    }
    return nil
  }

  private static func gunzip(_ path: String) -> String? {
    guard let gzip = ["/usr/bin/gzip", "/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: gzip)
    process.arguments = ["-dc", path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
  }
}
