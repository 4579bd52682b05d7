import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Atomic, mode-exact file writes: a key must never exist on disk, even briefly, with looser permissions.
public enum SecureFile {
  /// Writes `contents` to `path` through a temporary file created with `mode`, then renames it into place.
  public static func save(_ contents: String, to path: String, mode: mode_t) throws {
    try save(Array(contents.utf8), to: path, mode: mode)
  }

  public static func save(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty { try makeDirectory(directory, mode: 0o755) }
    let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else { throw PKIError.io(path: path, reason: "cannot create: \(errnoText())") }
    var ok = fchmod(fd, mode) == 0
    var offset = 0
    while ok && offset < bytes.count {
      let written = bytes.withUnsafeBytes { buffer in
        write(fd, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written < 0 {
        if errno == EINTR { continue }
        ok = false
      } else {
        offset += written
      }
    }
    if ok { ok = fsync(fd) == 0 }
    let reason = errnoText()
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
      let failure = ok ? errnoText() : reason
      unlink(temporary)
      throw PKIError.io(path: path, reason: "cannot write: \(failure)")
    }
  }

  /// The file's text, or nil when it does not exist.
  public static func read(_ path: String) throws -> String? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PKIError.io(path: path, reason: "cannot read")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw PKIError.malformed(what: path, reason: "not UTF-8 text")
    }
    return text
  }

  /// Creates `path` with `mode` and missing parents with 0755; an existing directory keeps its mode.
  public static func makeDirectory(_ path: String, mode: mode_t) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty && parent != path { try makeDirectory(parent, mode: 0o755) }
    if mkdir(path, mode) == 0 {
      _ = chmod(path, mode)  // mkdir's mode passes through the umask
    } else if errno != EEXIST {
      throw PKIError.io(path: path, reason: "cannot create directory: \(errnoText())")
    }
  }

  /// Sets the mode of an existing file, so an old key written with looser permissions gets tightened.
  public static func enforceMode(_ path: String, mode: mode_t) throws {
    guard chmod(path, mode) == 0 else { throw PKIError.io(path: path, reason: "cannot chmod: \(errnoText())") }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
