import Glibc

/// Facts about host processes from /proc and pidfds.
enum ProcessInfoReader {
  /// Field 22 of /proc/<pid>/stat (start time in clock ticks); nil when the process is gone.
  static func startTime(_ pid: Int32) -> UInt64? {
    guard pid > 0, let text = try? FileSystem.readString("/proc/\(pid)/stat"),
      let close = text.lastIndex(of: ")")
    else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    // fields[0] is the state (field 3), so field 22 is at index 19.
    guard fields.count > 19, let value = UInt64(fields[19]) else { return nil }
    // A zombie has exited; only its parent can still reap it.
    if fields[0] == "Z" { return nil }
    return value
  }

  /// Waits until a pidfd reports its process's exit; returns false on timeout.
  @discardableResult
  static func waitForExit(pidfd: Int32, timeoutMilliseconds: Int32) -> Bool {
    var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
    while true {
      let rc = poll(&entry, 1, timeoutMilliseconds)
      if rc < 0 && errno == EINTR { continue }
      return rc > 0
    }
  }

  static func commandLine(_ pid: Int32) -> [String] {
    guard let bytes = try? FileSystem.read("/proc/\(pid)/cmdline") else { return [] }
    return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
  }
}
