import Foundation
import Glibc

/// Writes a set of files into a volume directory the way upstream's AtomicWriter does: the
/// payload goes into a fresh hidden directory, `..data` is swapped to it with one rename, and
/// each top-level name is a symlink through `..data`. A container reading the volume sees the
/// old set or the new set, never a mix — which is how configMap and secret volumes update in place.
enum AtomicDirectory {
  struct File: Equatable {
    var path: String
    var bytes: [UInt8]
    var mode: UInt32
  }

  /// Replaces the payload of `directory` with `files`; returns false when nothing changed.
  @discardableResult
  static func write(_ files: [File], to directory: String, group: UInt32? = nil) throws -> Bool {
    let fm = FileManager.default
    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let dataLink = directory + "/..data"
    if let current = try? fm.destinationOfSymbolicLink(atPath: dataLink), Self.matches(files, directory + "/" + current)
    {
      return false
    }
    let stamp = "..\(UInt64(Date().timeIntervalSince1970 * 1e9))"
    let payload = directory + "/" + stamp
    try fm.createDirectory(atPath: payload, withIntermediateDirectories: true)
    for file in files {
      let path = payload + "/" + file.path
      try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      guard fm.createFile(atPath: path, contents: Data(file.bytes)) else {
        throw KubeletError(.io, "cannot write \(path)")
      }
      chmod(path, mode_t(file.mode))
      if let group { chown(path, UInt32.max, group) }
    }
    if let group { chown(payload, UInt32.max, group) }
    let old = try? fm.destinationOfSymbolicLink(atPath: dataLink)
    let temporary = directory + "/..data_tmp"
    unlink(temporary)
    guard symlink(stamp, temporary) == 0, rename(temporary, dataLink) == 0 else {
      throw KubeletError(.io, "cannot switch \(dataLink): \(String(cString: strerror(errno)))")
    }
    let topLevel = Set(files.map { String($0.path.split(separator: "/").first ?? "") })
    for name in topLevel where (try? fm.destinationOfSymbolicLink(atPath: directory + "/" + name)) == nil {
      symlink("..data/" + name, directory + "/" + name)
    }
    for entry in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where !entry.hasPrefix("..") {
      if !topLevel.contains(entry) { unlink(directory + "/" + entry) }
    }
    if let old, old != stamp { try? fm.removeItem(atPath: directory + "/" + old) }
    return true
  }

  static func matches(_ files: [File], _ payload: String) -> Bool {
    let fm = FileManager.default
    var count = 0
    if let enumerator = fm.enumerator(atPath: payload) {
      for case let path as String in enumerator {
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: payload + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { count += 1 }
      }
    }
    guard count == files.count else { return false }
    for file in files {
      guard let data = fm.contents(atPath: payload + "/" + file.path), Array(data) == file.bytes else { return false }
      var info = stat()
      guard stat(payload + "/" + file.path, &info) == 0, UInt32(info.st_mode) & 0o7777 == file.mode else {
        return false
      }
    }
    return true
  }
}
