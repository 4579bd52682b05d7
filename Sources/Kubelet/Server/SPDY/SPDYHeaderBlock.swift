import CRuntime

/// SPDY/3 header blocks: name/value pairs, zlib-compressed with one stream per direction per
/// connection and the protocol's preset dictionary.
enum SPDYHeaderBlock {
  /// The SPDY/3 header dictionary (draft 3, section 2.6.10.1): length-prefixed words, then a
  /// run of common values. Its Adler-32 is 0xe3c6a7c2, which zlib checks.
  static let dictionary: [UInt8] = {
    let words = [
      "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
      "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
      "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
      "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
      "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
      "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
      "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
      "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
      "keep-alive", "origin",
    ]
    let tail =
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
      + "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
      + "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
      + "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
      + "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
      + "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
    var bytes: [UInt8] = []
    for word in words { bytes += SPDYFrame.u32(UInt32(word.utf8.count)) + Array(word.utf8) }
    return bytes + Array(tail.utf8)
  }()

  /// Serializes headers (names lower-cased, multiple values NUL-joined) uncompressed.
  static func encode(_ headers: [(String, String)]) -> [UInt8] {
    var bytes = SPDYFrame.u32(UInt32(headers.count))
    for (name, value) in headers {
      let name = Array(name.lowercased().utf8)
      bytes += SPDYFrame.u32(UInt32(name.count)) + name
      bytes += SPDYFrame.u32(UInt32(value.utf8.count)) + Array(value.utf8)
    }
    return bytes
  }

  /// Parses an uncompressed block into lower-cased names and their values.
  static func decode(_ bytes: [UInt8]) -> [String: String]? {
    let view = bytes[...]
    guard view.count >= 4 else { return nil }
    let count = Int(SPDYFrame.readU32(view, 0))
    var offset = 4
    var headers: [String: String] = [:]
    for _ in 0..<count {
      guard offset + 4 <= view.count else { return nil }
      let nameLength = Int(SPDYFrame.readU32(view, offset))
      offset += 4
      guard offset + nameLength + 4 <= view.count else { return nil }
      let name = String(decoding: view[offset..<(offset + nameLength)], as: UTF8.self).lowercased()
      offset += nameLength
      let valueLength = Int(SPDYFrame.readU32(view, offset))
      offset += 4
      guard offset + valueLength <= view.count else { return nil }
      headers[name] = String(decoding: view[offset..<(offset + valueLength)], as: UTF8.self)
      offset += valueLength
    }
    return headers
  }
}

/// The receiving side's zlib stream, kept for the whole connection.
final class SPDYHeaderDecompressor {
  private var stream = z_stream()
  private var ready = false

  init() throws(KubeletError) {
    guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
      throw KubeletError(.io, "cannot initialise zlib for SPDY headers")
    }
    ready = true
  }

  deinit { if ready { inflateEnd(&stream) } }

  /// Inflates one frame's header block (each ends with a sync flush).
  func decompress(_ input: [UInt8]) throws(KubeletError) -> [UInt8] {
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    var input = input
    var failure: Int32 = Z_OK
    input.withUnsafeMutableBytes { inputBytes in
      stream.next_in = inputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
      stream.avail_in = UInt32(inputBytes.count)
      while true {
        let produced: Int = chunk.withUnsafeMutableBytes { out in
          stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
          stream.avail_out = UInt32(out.count)
          var status = inflate(&stream, Z_SYNC_FLUSH)
          if status == Z_NEED_DICT {
            status = SPDYHeaderBlock.dictionary.withUnsafeBytes {
              inflateSetDictionary(
                &stream, $0.baseAddress!.assumingMemoryBound(to: Bytef.self), UInt32($0.count))
            }
            if status == Z_OK { status = inflate(&stream, Z_SYNC_FLUSH) }
          }
          if status != Z_OK && status != Z_BUF_ERROR && status != Z_STREAM_END { failure = status }
          return out.count - Int(stream.avail_out)
        }
        output += chunk[0..<produced]
        if failure != Z_OK || (stream.avail_in == 0 && produced < chunk.count) { break }
      }
      stream.next_in = nil
    }
    guard failure == Z_OK else { throw KubeletError(.invalidArgument, "corrupt SPDY header block (zlib \(failure))") }
    return output
  }
}

/// The sending side: zlib framing around stored (uncompressed) deflate blocks. Header blocks
/// here are a few bytes, so compressing would save nothing; every zlib reader accepts them.
struct SPDYHeaderCompressor {
  private var started = false

  mutating func compress(_ block: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    if !started {
      // CMF 0x78 (deflate, 32K window), FLG 0x01: no preset dictionary, check bits valid.
      out += [0x78, 0x01]
      started = true
    }
    var rest = block[...]
    repeat {
      let piece = rest.prefix(65535)
      rest = rest.dropFirst(piece.count)
      let length = UInt16(piece.count)
      // BFINAL 0, BTYPE 00 (stored), then LEN and its complement, little-endian.
      out += [0x00, UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
      out += piece
    } while !rest.isEmpty
    // An empty stored block, as zlib's sync flush ends with: Go's inflater hands out a block's
    // data only when it meets the next block header, which must be inside this frame.
    out += [0x00, 0x00, 0x00, 0xff, 0xff]
    return out
  }
}
