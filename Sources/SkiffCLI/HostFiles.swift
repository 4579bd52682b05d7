import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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

  /// `gzip -dc path`, spawned and reaped directly: Foundation's Process waits on a run loop
  /// that a command's synchronous `run()` does not always turn.
  private static func gunzip(_ path: String) -> String? {
    guard let gzip = ["/usr/bin/gzip", "/bin/gzip"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else { return nil }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let arguments: [String] = [gzip, "-dc", path]
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, gzip, &actions, nil, argv, environ)
    close(fds[1])
    defer { close(fds[0]) }
    guard spawned == 0 else { return nil }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = Glibc.read(fds[0], &buffer, buffer.count)
      if count > 0 {
        output += buffer[0..<count]
      } else if count == 0 || errno != EINTR {
        break
      }
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status == 0 ? String(decoding: output, as: UTF8.self) : nil
  }
}
