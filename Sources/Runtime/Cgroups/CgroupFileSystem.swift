import CRuntime
import Glibc

/// The few file operations cgroup management needs, behind a protocol so the v1 and v2
/// logic is unit-tested against an in-memory tree and run for real as root.
public protocol CgroupFileSystem: Sendable {
  func read(_ path: String) throws -> String
  func write(_ path: String, _ value: String) throws
  func makeDirectory(_ path: String) throws
  func removeDirectory(_ path: String) throws
  func exists(_ path: String) -> Bool
  /// The filesystem type magic of a mount point (statfs), to tell v1 from v2.
  func filesystemType(_ path: String) -> Int64?
}

/// The kernel's cgroup filesystems.
public struct HostCgroupFileSystem: CgroupFileSystem {
  public init() {}

  public func read(_ path: String) throws -> String { try FileSystem.readString(path) }

  public func write(_ path: String, _ value: String) throws {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw RuntimeError.io("cannot open \(path)", errno: errno) }
    defer { close(fd) }
    let bytes = Array(value.utf8)
    let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    guard n == bytes.count else { throw RuntimeError.io("cannot write \"\(value)\" to \(path)", errno: errno) }
  }

  public func makeDirectory(_ path: String) throws {
    guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
      throw RuntimeError.io("cannot create cgroup \(path)", errno: errno)
    }
  }

  public func removeDirectory(_ path: String) throws {
    guard rmdir(path) == 0 || errno == ENOENT else {
      throw RuntimeError.io("cannot remove cgroup \(path)", errno: errno)
    }
  }

  public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  public func filesystemType(_ path: String) -> Int64? {
    let type = skiff_statfs_type(path)
    return type < 0 ? nil : Int64(type)
  }
}
