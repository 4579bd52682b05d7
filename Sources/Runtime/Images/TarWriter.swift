/// Writes ustar archives (pax records for long names). The runtime's tests and benchmark
/// build their OCI archives with it; `skiff ctr` has no export yet.
public struct TarWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  public mutating func addDirectory(_ path: String, mode: UInt32 = 0o755, uid: UInt32 = 0, gid: UInt32 = 0) {
    addHeader(path: path.hasSuffix("/") ? path : path + "/", type: "5", size: 0, mode: mode, uid: uid, gid: gid)
  }

  public mutating func addFile(
    _ path: String, contents: [UInt8], mode: UInt32 = 0o644, uid: UInt32 = 0, gid: UInt32 = 0
  ) {
    addHeader(path: path, type: "0", size: contents.count, mode: mode, uid: uid, gid: gid)
    bytes += contents
    bytes += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
  }

  public mutating func addSymlink(_ path: String, target: String) {
    addHeader(path: path, type: "2", size: 0, mode: 0o777, link: target)
  }

  public mutating func addHardLink(_ path: String, target: String) {
    addHeader(path: path, type: "1", size: 0, mode: 0o644, link: target)
  }

  public mutating func addCharacterDevice(_ path: String, major: Int, minor: Int) {
    addHeader(path: path, type: "3", size: 0, mode: 0o666, major: major, minor: minor)
  }

  /// Ends the archive with two zero blocks.
  public mutating func finish() { bytes += [UInt8](repeating: 0, count: 1024) }

  private mutating func addHeader(
    path: String, type: Character, size: Int, mode: UInt32, uid: UInt32 = 0, gid: UInt32 = 0, link: String = "",
    major: Int = 0, minor: Int = 0
  ) {
    if path.utf8.count > 99 || link.utf8.count > 99 {
      var records: [UInt8] = []
      if path.utf8.count > 99 { records += Self.paxRecord("path", path) }
      if link.utf8.count > 99 { records += Self.paxRecord("linkpath", link) }
      addHeader(path: "PaxHeaders/entry", type: "x", size: records.count, mode: 0o644)
      bytes += records
      bytes += [UInt8](repeating: 0, count: (512 - records.count % 512) % 512)
    }
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, _ offset: Int, _ length: Int) {
      for (index, byte) in text.utf8.prefix(length).enumerated() { header[offset + index] = byte }
    }
    func octal(_ value: Int, _ offset: Int, _ length: Int) {
      let text = String(value, radix: 8)
      put(String(repeating: "0", count: max(0, length - 1 - text.count)) + text, offset, length - 1)
    }
    put(String(path.utf8.prefix(99)) ?? path, 0, 100)
    octal(Int(mode), 100, 8)
    octal(Int(uid), 108, 8)
    octal(Int(gid), 116, 8)
    octal(size, 124, 12)
    octal(0, 136, 12)
    put("        ", 148, 8)
    header[156] = type.asciiValue!
    put(String(link.utf8.prefix(99)) ?? link, 157, 100)
    put("ustar", 257, 6)
    put("00", 263, 2)
    octal(major, 329, 8)
    octal(minor, 337, 8)
    let sum = header.reduce(0) { $0 + Int($1) }
    octal(sum, 148, 7)
    header[155] = 0x20
    bytes += header
  }

  private static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
    let body = " \(key)=\(value)\n"
    var length = body.utf8.count + 1
    while String(length).utf8.count + body.utf8.count != length { length += 1 }
    return Array((String(length) + body).utf8)
  }
}
