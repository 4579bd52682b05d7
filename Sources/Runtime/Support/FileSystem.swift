import Foundation

/// Small file helpers over POSIX calls, where Foundation would hide errno.
enum FileSystem {
  static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
  }

  static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
    } catch {
      throw RuntimeError(.io, "cannot create directory \(path): \(error.localizedDescription)")
    }
  }

  static func read(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { throw RuntimeError(.notFound, "\(path) does not exist") }
      throw RuntimeError.io("cannot open \(path)", errno: errno)
    }
    defer { close(fd) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw RuntimeError.io("cannot read \(path)", errno: errno) }
      if n == 0 { break }
      result += buffer[0..<n]
    }
    return result
  }

  static func readString(_ path: String) throws -> String {
    String(decoding: try read(path), as: UTF8.self)
  }

  /// Writes through a temporary file and rename, so a crash never leaves half a file.
  static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
    let temporary = path + ".tmp.\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else { throw RuntimeError.io("cannot create \(temporary)", errno: errno) }
    do {
      try writeAll(fd, bytes, path: temporary)
      close(fd)
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else { throw RuntimeError.io("cannot rename to \(path)", errno: errno) }
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
  }

  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw RuntimeError.io("cannot write \(path)", errno: errno) }
      offset += n
    }
  }

  static func list(_ path: String) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
  }

  /// Removes a tree without following symlinks; missing is fine. POSIX calls, not
  /// FileManager, which costs milliseconds per entry and sits on the container delete path.
  static func removeTree(_ path: String) throws {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if (info.st_mode & S_IFMT) != S_IFDIR {
      guard unlink(path) == 0 || errno == ENOENT else { throw RuntimeError.io("cannot remove \(path)", errno: errno) }
      return
    }
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw RuntimeError.io("cannot open \(path)", errno: errno) }
    try removeContents(fd, path: path)
    guard rmdir(path) == 0 || errno == ENOENT else { throw RuntimeError.io("cannot remove \(path)", errno: errno) }
  }

  /// Empties the directory `fd` (and closes it).
  private static func removeContents(_ fd: Int32, path: String) throws {
    guard let directory = fdopendir(fd) else {
      close(fd)
      throw RuntimeError.io("cannot list \(path)", errno: errno)
    }
    defer { closedir(directory) }
    var names: [(String, Bool)] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      names.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
    }
    for (name, isDirectory) in names {
      if !isDirectory && unlinkat(fd, name, 0) == 0 { continue }
      if errno == ENOENT && !isDirectory { continue }
      let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      if child < 0 {
        // Not a directory after all (d_type unknown): unlink it.
        guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else {
          throw RuntimeError.io("cannot remove \(path)/\(name)", errno: errno)
        }
        continue
      }
      // Directories without permission bits (overlay's work/work) are still removable by root.
      try removeContents(child, path: path + "/" + name)
      guard unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
        throw RuntimeError.io("cannot remove \(path)/\(name)", errno: errno)
      }
    }
  }

  static func isSymlink(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
  }

  /// Bytes used by a directory tree (files only), for garbage-collection thresholds.
  static func diskUsage(_ path: String) -> Int64 {
    guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total: Int64 = 0
    while let name = walker.nextObject() as? String {
      var info = stat()
      if lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
        total += Int64(info.st_blocks) * 512
      }
    }
    return total
  }
}
