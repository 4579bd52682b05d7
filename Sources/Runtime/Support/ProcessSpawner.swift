import CRuntime
import Glibc

/// Starts `skiff-shim` (see ShimExecutable) in one of its modes (`__shim`, `__sandbox`,
/// `__exec`) with chosen fds, via posix_spawn: nothing runs in Swift between fork and exec.
enum ProcessSpawner {
  /// Spawns `executable mode`; `fds[i]` becomes fd i in the child (-1: /dev/null).
  static func spawn(_ executable: String, mode: String, fds: [Int32], newSession: Bool) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    let null = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(null) }
    // Move sources above the target range first so dup2 never clobbers a later source.
    var staged: [Int32] = []
    for fd in fds {
      let source = fd >= 0 ? fd : null
      let copy = fcntl(source, F_DUPFD_CLOEXEC, 100)
      staged.append(copy)
    }
    defer { for fd in staged { close(fd) } }
    for (target, source) in staged.enumerated() {
      posix_spawn_file_actions_adddup2(&actions, source, Int32(target))
    }
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    var defaults = sigset_t()
    sigfillset(&defaults)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
    if newSession { flags |= Int32(SKIFF_POSIX_SPAWN_SETSID) }
    posix_spawnattr_setflags(&attributes, Int16(flags))
    let arguments = ["skiff-shim", mode]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    var rc = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
    // Right after ShimExecutable wrote the file, a child another thread forked may still hold
    // the write descriptor until it execs: the kernel refuses to run a file open for writing.
    for _ in 0..<50 where rc == ETXTBSY {
      usleep(20_000)
      rc = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
    }
    guard rc == 0 else {
      let hint = rc == EACCES ? " (is the data directory on a noexec mount?)" : ""
      throw RuntimeError.io("cannot start \(executable) \(mode)\(hint)", errno: rc)
    }
    return pid
  }

  /// A sealed in-memory file holding a spec, to pass as fd 3.
  static func specFile(_ bytes: [UInt8]) throws -> Int32 {
    let fd = skiff_memfd("skiff-spec")
    guard fd >= 0 else { throw RuntimeError.io("cannot create a memfd", errno: -fd) }
    try FileSystem.writeAll(fd, bytes, path: "spec memfd")
    lseek(fd, 0, SEEK_SET)
    return fd
  }

  /// Reads a pipe to EOF.
  static func readAll(_ fd: Int32) -> String {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      result += buffer[0..<n]
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// Waits for a child; returns its exit code (128+signal when killed).
  static func waitExit(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return -1 }
    }
    if status & 0x7f == 0 { return (status >> 8) & 0xff }
    return 128 + (status & 0x7f)
  }
}
