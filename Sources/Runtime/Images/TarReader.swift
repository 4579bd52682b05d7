/// One member of a tar stream (ustar, with pax and GNU long-name extensions).
struct TarEntry: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    case file, hardLink, symlink, characterDevice, blockDevice, directory, fifo, other(UInt8)
  }

  var path: String
  var kind: Kind
  var size: Int64
  var mode: UInt32
  var uid: UInt32
  var gid: UInt32
  var modificationTime: Int64
  var linkTarget: String
  var extendedAttributes: [String: [UInt8]] = [:]
}

/// Reads a tar stream entry by entry; the data of the current entry is read with
/// `readData(into:)` and whatever is left is skipped by the next `next()`.
final class TarReader {
  private let source: ByteSource
  private var remaining: Int64 = 0
  private var padding = 0
  private var block = [UInt8](repeating: 0, count: 512)

  init(_ source: ByteSource) { self.source = source }

  func next() throws -> TarEntry? {
    try skipRemaining()
    var pax: [String: [UInt8]] = [:]
    var longName: String?
    var longLink: String?
    while true {
      guard try readBlock() else { return nil }
      if block.allSatisfy({ $0 == 0 }) { return nil }
      guard verifyChecksum() else { throw RuntimeError(.invalidImage, "corrupt tar header (bad checksum)") }
      let type = block[156]
      let size = try number(124, 12)
      switch type {
      case UInt8(ascii: "x"), UInt8(ascii: "g"):
        let data = try readAll(size)
        if type == UInt8(ascii: "x") { pax.merge(Self.parsePax(data)) { $1 } }
        continue
      case UInt8(ascii: "L"):
        longName = Self.cString(try readAll(size)[...])
        continue
      case UInt8(ascii: "K"):
        longLink = Self.cString(try readAll(size)[...])
        continue
      default: break
      }
      var entry = TarEntry(
        path: try longName ?? headerPath(), kind: Self.kind(type), size: size, mode: UInt32(try number(100, 8)),
        uid: UInt32(truncatingIfNeeded: try number(108, 8)), gid: UInt32(truncatingIfNeeded: try number(116, 8)),
        modificationTime: try number(136, 12), linkTarget: longLink ?? Self.cString(block[157..<257]))
      if let path = pax["path"] { entry.path = String(decoding: path, as: UTF8.self) }
      if let link = pax["linkpath"] { entry.linkTarget = String(decoding: link, as: UTF8.self) }
      if let text = pax["size"], let value = Int64(String(decoding: text, as: UTF8.self)) { entry.size = value }
      if let text = pax["uid"], let value = UInt32(String(decoding: text, as: UTF8.self)) { entry.uid = value }
      if let text = pax["gid"], let value = UInt32(String(decoding: text, as: UTF8.self)) { entry.gid = value }
      if let text = pax["mtime"], let value = Double(String(decoding: text, as: UTF8.self)) {
        entry.modificationTime = Int64(value)
      }
      for (key, value) in pax where key.hasPrefix("SCHILY.xattr.") {
        entry.extendedAttributes[String(key.dropFirst(13))] = value
      }
      // Header-only types carry no data blocks whatever their size field says (as Go's archive/tar).
      switch entry.kind {
      case .hardLink, .symlink, .characterDevice, .blockDevice, .directory, .fifo: remaining = 0
      default: remaining = entry.size
      }
      padding = Int((512 - (remaining % 512)) % 512)
      return entry
    }
  }

  /// Reads the current entry's data; returns 0 at its end.
  func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard remaining > 0 else { return 0 }
    let want = Int(min(Int64(buffer.count), remaining))
    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
    if n == 0 { throw RuntimeError(.invalidImage, "tar stream ends inside an entry") }
    remaining -= Int64(n)
    return n
  }

  func readAll(_ size: Int64) throws -> [UInt8] {
    guard size < 64 << 20 else { throw RuntimeError(.invalidImage, "tar metadata entry too large") }
    remaining = size
    padding = Int((512 - (size % 512)) % 512)
    var result = [UInt8](repeating: 0, count: Int(size))
    var offset = 0
    try result.withUnsafeMutableBytes { bytes in
      while offset < Int(size) {
        let n = try readData(into: UnsafeMutableRawBufferPointer(rebasing: bytes[offset...]))
        offset += n
      }
    }
    try skipRemaining()
    return result
  }

  private func skipRemaining() throws {
    var scratch = [UInt8](repeating: 0, count: 65536)
    var left = remaining + Int64(padding)
    try scratch.withUnsafeMutableBytes { bytes in
      while left > 0 {
        let want = Int(min(Int64(bytes.count), left))
        let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<want]))
        if n == 0 { throw RuntimeError(.invalidImage, "tar stream ends inside an entry") }
        left -= Int64(n)
      }
    }
    remaining = 0
    padding = 0
  }

  private func readBlock() throws -> Bool {
    let n = try block.withUnsafeMutableBytes { try source.readFully(into: $0) }
    if n == 0 { return false }
    guard n == 512 else { throw RuntimeError(.invalidImage, "tar stream ends inside a header") }
    return true
  }

  private func verifyChecksum() -> Bool {
    guard let stored = try? number(148, 8) else { return false }
    var sum: Int64 = 0
    for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int64(byte) }
    return sum == stored
  }

  private func headerPath() throws -> String {
    let name = Self.cString(block[0..<100])
    let magic = Self.cString(block[257..<263])
    guard magic.hasPrefix("ustar") else { return name }
    let prefix = Self.cString(block[345..<500])
    return prefix.isEmpty ? name : prefix + "/" + name
  }

  /// Octal text, or GNU base-256 when the high bit of the first byte is set.
  private func number(_ offset: Int, _ length: Int) throws -> Int64 {
    let field = block[offset..<(offset + length)]
    if let first = field.first, first & 0x80 != 0 {
      var value: Int64 = Int64(first & 0x7f)
      for byte in field.dropFirst() { value = (value << 8) | Int64(byte) }
      return value
    }
    let text = Self.cString(field).trimmingSpaces()
    if text.isEmpty { return 0 }
    guard let value = Int64(text, radix: 8) else { throw RuntimeError(.invalidImage, "corrupt tar header field") }
    return value
  }

  static func cString(_ bytes: ArraySlice<UInt8>) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
    return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
  }

  static func kind(_ type: UInt8) -> TarEntry.Kind {
    switch type {
    case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): return .file
    case UInt8(ascii: "1"): return .hardLink
    case UInt8(ascii: "2"): return .symlink
    case UInt8(ascii: "3"): return .characterDevice
    case UInt8(ascii: "4"): return .blockDevice
    case UInt8(ascii: "5"): return .directory
    case UInt8(ascii: "6"): return .fifo
    default: return .other(type)
    }
  }

  /// pax records: "<length> <key>=<value>\n".
  static func parsePax(_ data: [UInt8]) -> [String: [UInt8]] {
    var result: [String: [UInt8]] = [:]
    var index = 0
    while index < data.count {
      guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
        let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > 0,
        index + length <= data.count
      else { break }
      let record = data[(space + 1)..<(index + length - 1)]
      if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
        result[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] = Array(record[(equals + 1)...])
      }
      index += length
    }
    return result
  }
}

extension String {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\0" { scalars = scalars.dropFirst() }
    while let last = scalars.last, last == " " || last == "\0" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
