import CRuntime
import Glibc
import Logging

/// Unpacks one layer tar stream into an empty directory, keeping ownership, permissions,
/// times, hard links and extended attributes. Every parent is resolved with
/// `RESOLVE_IN_ROOT`, so a symlink in the layer cannot redirect a write outside it.
struct LayerUnpacker {
  let root: String
  let logger: Logger

  /// Returns the number of refused entries (device nodes).
  func unpack(_ source: ByteSource) throws -> Int {
    let rootFD = open(root, SKIFF_O_PATH | O_DIRECTORY | O_CLOEXEC)
    guard rootFD >= 0 else { throw RuntimeError.io("cannot open snapshot \(root)", errno: errno) }
    defer { close(rootFD) }
    let reader = TarReader(source)
    var refused = 0
    var directoryTimes: [(String, Int64)] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while let entry = try reader.next() {
      guard let operation = try LayerOperation.plan(entry) else { continue }
      switch operation {
      case .directory(let path):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        var info = stat()
        if fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && (info.st_mode & S_IFMT) != S_IFDIR {
          unlinkat(parent, name, 0)
        }
        if mkdirat(parent, name, 0o700) != 0 && errno != EEXIST { throw failure("create directory", path) }
        try applyMetadata(parent, name, entry, path: path, symlink: false)
        directoryTimes.append((path, entry.modificationTime))
      case .file(let path):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        try removeExisting(parent, name)
        let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("create file", path) }
        defer { close(fd) }
        try buffer.withUnsafeMutableBytes { bytes in
          while true {
            let n = try reader.readData(into: bytes)
            if n == 0 { break }
            try FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<n]), path: path)
          }
        }
        try applyMetadata(parent, name, entry, path: path, symlink: false)
      case .symlink(let path, let target):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        try removeExisting(parent, name)
        guard symlinkat(target, parent, name) == 0 else { throw failure("create symlink", path) }
        try applyMetadata(parent, name, entry, path: path, symlink: true)
      case .hardLink(let path, let target):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        let (targetParent, targetName) = try parentFD(rootFD, target)
        defer { close(targetParent) }
        try removeExisting(parent, name)
        guard linkat(targetParent, targetName, parent, name, 0) == 0 else { throw failure("create hard link", path) }
      case .fifo(let path):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        try removeExisting(parent, name)
        guard mkfifoat(parent, name, 0o600) == 0 else { throw failure("create fifo", path) }
        try applyMetadata(parent, name, entry, path: path, symlink: false)
      case .whiteout(let path):
        let (parent, name) = try parentFD(rootFD, path)
        defer { close(parent) }
        try removeExisting(parent, name)
        guard mknodat(parent, name, S_IFCHR, 0) == 0 else { throw failure("create whiteout", path) }
      case .opaque(let directory):
        let fd = skiff_open_in_root(rootFD, directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY, 0)
        guard fd >= 0 else { throw RuntimeError.io("cannot open \(directory) to mark it opaque", errno: -fd) }
        defer { close(fd) }
        guard skiff_set_xattr(fd, "trusted.overlay.opaque", "y", 1) == 0 else {
          throw failure("mark opaque (needs root and a filesystem with trusted xattrs)", directory)
        }
      case .refused(let path, let reason):
        refused += 1
        logger.warning("skipping layer entry", metadata: ["path": "\(path)", "reason": "\(reason)"])
      }
    }
    // Directory times last: creating their children changed them.
    for (path, time) in directoryTimes.reversed() {
      var times = [timespec(tv_sec: Int(time), tv_nsec: 0), timespec(tv_sec: Int(time), tv_nsec: 0)]
      let (parent, name) = try parentFD(rootFD, path)
      utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
      close(parent)
    }
    return refused
  }

  /// Opens (creating as needed) the parent directory of `path`, always resolved from the layer's root.
  private func parentFD(_ rootFD: Int32, _ path: String) throws -> (Int32, String) {
    let parts = path.split(separator: "/").map(String.init)
    let name = parts.last!
    let parentPath = parts.dropLast().joined(separator: "/")
    if parentPath.isEmpty { return (fcntl(rootFD, F_DUPFD_CLOEXEC, 3), name) }
    let direct = skiff_open_in_root(rootFD, parentPath, SKIFF_O_PATH | O_DIRECTORY, 0)
    if direct >= 0 { return (direct, name) }
    var prefix = ""
    var fd: Int32 = -1
    for part in parts.dropLast() {
      let current = prefix.isEmpty ? part : prefix + "/" + part
      var next = skiff_open_in_root(rootFD, current, SKIFF_O_PATH | O_DIRECTORY, 0)
      if next == -ENOENT {
        let container = prefix.isEmpty ? fcntl(rootFD, F_DUPFD_CLOEXEC, 3) : fd
        if mkdirat(container, part, 0o755) != 0 && errno != EEXIST { throw failure("create directory", current) }
        next = skiff_open_in_root(rootFD, current, SKIFF_O_PATH | O_DIRECTORY, 0)
        if prefix.isEmpty { close(container) }
      }
      if fd >= 0 { close(fd) }
      guard next >= 0 else { throw RuntimeError.io("cannot open directory \(current) of the layer", errno: -next) }
      fd = next
      prefix = current
    }
    return (fd, name)
  }

  private func removeExisting(_ parent: Int32, _ name: String) throws {
    var info = stat()
    guard fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      try FileSystem.removeTree(try procPath(parent) + "/" + name)
    } else {
      unlinkat(parent, name, 0)
    }
  }

  private func procPath(_ fd: Int32) throws -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
    guard n > 0 else { throw RuntimeError.io("cannot resolve a directory fd", errno: errno) }
    return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  private func applyMetadata(_ parent: Int32, _ name: String, _ entry: TarEntry, path: String, symlink: Bool) throws {
    if fchownat(parent, name, entry.uid, entry.gid, AT_SYMLINK_NOFOLLOW) != 0 && geteuid() == 0 {
      throw failure("set owner of", path)
    }
    if !symlink {
      guard fchmodat(parent, name, mode_t(entry.mode & 0o7777), 0) == 0 else { throw failure("set mode of", path) }
      for (key, value) in entry.extendedAttributes {
        let fd = openat(parent, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd >= 0 {
          _ = value.withUnsafeBytes { skiff_set_xattr(fd, key, $0.baseAddress, $0.count) }
          close(fd)
        }
      }
    }
    var times = [
      timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0),
      timespec(tv_sec: Int(entry.modificationTime), tv_nsec: 0),
    ]
    utimensat(parent, name, &times, AT_SYMLINK_NOFOLLOW)
  }

  private func failure(_ action: String, _ path: String) -> RuntimeError {
    RuntimeError.io("cannot \(action) \(path) in \(root)", errno: errno)
  }
}
