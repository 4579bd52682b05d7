import CRuntime
import Glibc

/// A pull-based stream of bytes: a file, a decompressor over another source, a network body.
/// Reading into a caller's buffer keeps layer unpacking at a few copies per byte.
protocol ByteSource: AnyObject {
  /// Fills up to `buffer.count` bytes; returns 0 at the end.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
  /// Reads exactly `count` bytes unless the source ends first.
  func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var total = 0
    while total < buffer.count {
      let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
      if n == 0 { break }
      total += n
    }
    return total
  }
}

/// An open file read sequentially.
final class FileSource: ByteSource {
  let fd: Int32
  let path: String

  init(path: String) throws {
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { throw RuntimeError(.notFound, "\(path) does not exist") }
      throw RuntimeError.io("cannot open \(path)", errno: errno)
    }
    self.path = path
  }

  deinit { close(fd) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
      if n >= 0 { return n }
      if errno != EINTR { throw RuntimeError.io("cannot read \(path)", errno: errno) }
    }
  }
}

/// Bytes already in memory.
final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - offset)
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
    }
    offset += count
    return count
  }
}

/// The compression of a tarball or layer, found from its first bytes.
enum Compression: Sendable {
  case none, gzip, zstd

  static func detect(_ head: [UInt8]) -> Compression {
    if head.count >= 2 && head[0] == 0x1f && head[1] == 0x8b { return .gzip }
    if head.count >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd { return .zstd }
    return .none
  }
}

/// A source whose first bytes were already read (to sniff the compression) and are replayed.
final class PeekedSource: ByteSource {
  private var head: [UInt8]
  private let rest: ByteSource

  init(_ source: ByteSource, peek count: Int) throws {
    var head = [UInt8](repeating: 0, count: count)
    let n = try head.withUnsafeMutableBytes { try source.readFully(into: $0) }
    self.head = Array(head[0..<n])
    rest = source
  }

  var peeked: [UInt8] { head }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if head.isEmpty { return try rest.read(into: buffer) }
    let count = min(buffer.count, head.count)
    head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
    head.removeFirst(count)
    return count
  }
}

/// Wraps a source in the decompressor its first bytes call for.
func decompressing(_ source: ByteSource) throws -> ByteSource {
  let peeked = try PeekedSource(source, peek: 4)
  switch Compression.detect(peeked.peeked) {
  case .none: return peeked
  case .gzip: return try GzipSource(peeked)
  case .zstd: return try ZstdSource(peeked)
  }
}

/// gzip through zlib (multi-member streams allowed, as `gzip` writes them).
final class GzipSource: ByteSource {
  private let input: ByteSource
  private var stream = z_stream()
  private var inputBuffer = [UInt8](repeating: 0, count: 1 << 17)
  private var inputEnded = false
  private var finished = false
  /// A member just ended: the input may end here too (the usual case) or another member follow.
  private var betweenMembers = false

  init(_ input: ByteSource) throws {
    self.input = input
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw RuntimeError(.internalError, "cannot initialise zlib")
    }
  }

  deinit { inflateEnd(&stream) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if finished || buffer.count == 0 { return 0 }
    return try inputBuffer.withUnsafeMutableBytes { inputBytes in
      while true {
        if stream.avail_in == 0 && !inputEnded {
          let n = try input.read(into: inputBytes)
          if n == 0 { inputEnded = true }
          stream.next_in = inputBytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
          stream.avail_in = UInt32(n)
        }
        if betweenMembers && inputEnded && stream.avail_in == 0 {
          finished = true
          return 0
        }
        betweenMembers = false
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(buffer.count)
        let status = inflate(&stream, Z_NO_FLUSH)
        let produced = buffer.count - Int(stream.avail_out)
        if status == Z_STREAM_END {
          // Another gzip member may follow.
          if stream.avail_in == 0 && inputEnded {
            finished = true
          } else {
            inflateReset(&stream)
            betweenMembers = true
          }
          if produced > 0 || finished { return produced }
          continue
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
          throw RuntimeError(.invalidImage, "corrupt gzip data (zlib status \(status))")
        }
        if produced > 0 { return produced }
        if inputEnded && stream.avail_in == 0 {
          throw RuntimeError(.invalidImage, "truncated gzip data")
        }
      }
    }
  }
}

/// zstd through libzstd's streaming decoder.
final class ZstdSource: ByteSource {
  private let input: ByteSource
  private let context: OpaquePointer
  private var inputBuffer = [UInt8](repeating: 0, count: 1 << 17)
  private var inputStart = 0
  private var inputEnd = 0
  private var inputEnded = false
  private var lastResult = 0

  init(_ input: ByteSource) throws {
    self.input = input
    guard let context = ZSTD_createDStream() else { throw RuntimeError(.internalError, "cannot initialise zstd") }
    self.context = context
    ZSTD_initDStream(context)
  }

  deinit { ZSTD_freeDStream(context) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if buffer.count == 0 { return 0 }
    return try inputBuffer.withUnsafeMutableBytes { inputBytes in
      while true {
        if inputStart == inputEnd && !inputEnded {
          let n = try input.read(into: inputBytes)
          inputStart = 0
          inputEnd = n
          if n == 0 { inputEnded = true }
        }
        var inBuffer = ZSTD_inBuffer(src: inputBytes.baseAddress, size: inputEnd, pos: inputStart)
        var outBuffer = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        if ZSTD_isError(result) != 0 {
          throw RuntimeError(.invalidImage, "corrupt zstd data: \(String(cString: ZSTD_getErrorName(result)))")
        }
        inputStart = inBuffer.pos
        lastResult = result
        if outBuffer.pos > 0 { return outBuffer.pos }
        if inputEnded && inputStart == inputEnd {
          if lastResult != 0 { throw RuntimeError(.invalidImage, "truncated zstd data") }
          return 0
        }
      }
    }
  }
}
