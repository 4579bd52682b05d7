/// SPDY/3.1 frames, as far as port-forwarding needs them: kubectl 1.32 tunnels SPDY inside
/// WebSocket binary messages (subprotocol `SPDY/3.1+portforward.k8s.io`) and opens one stream
/// pair (error, data) per forwarded connection.
enum SPDYFrame: Equatable, Sendable {
  case synStream(streamID: UInt32, flags: UInt8, headerBlock: [UInt8])
  case synReply(streamID: UInt32, flags: UInt8, headerBlock: [UInt8])
  case rstStream(streamID: UInt32, status: UInt32)
  case settings
  case ping(id: UInt32)
  case goAway(lastStreamID: UInt32)
  case headers(streamID: UInt32, flags: UInt8, headerBlock: [UInt8])
  case windowUpdate(streamID: UInt32, delta: UInt32)
  case data(streamID: UInt32, flags: UInt8, payload: [UInt8])
  case unknown(type: UInt16)

  static let version: UInt16 = 3
  static let flagFin: UInt8 = 0x01
  /// RST_STREAM statuses.
  static let cancel: UInt32 = 5
  static let refusedStream: UInt32 = 3

  /// The wire form; header blocks must already be compressed.
  var bytes: [UInt8] {
    switch self {
    case .synStream(let id, let flags, let block):
      return Self.control(1, flags, Self.u32(id) + Self.u32(0) + [0, 0] + block)
    case .synReply(let id, let flags, let block): return Self.control(2, flags, Self.u32(id) + block)
    case .rstStream(let id, let status): return Self.control(3, 0, Self.u32(id) + Self.u32(status))
    case .settings: return Self.control(4, 0, Self.u32(0))
    case .ping(let id): return Self.control(6, 0, Self.u32(id))
    case .goAway(let last): return Self.control(7, 0, Self.u32(last) + Self.u32(0))
    case .headers(let id, let flags, let block): return Self.control(8, flags, Self.u32(id) + block)
    case .windowUpdate(let id, let delta): return Self.control(9, 0, Self.u32(id) + Self.u32(delta))
    case .data(let id, let flags, let payload):
      return Self.u32(id & 0x7fff_ffff) + Self.u32(UInt32(flags) << 24 | UInt32(payload.count)) + payload
    case .unknown: return []
    }
  }

  private static func control(_ type: UInt16, _ flags: UInt8, _ body: [UInt8]) -> [UInt8] {
    [0x80 | UInt8(version >> 8), UInt8(version & 0xff), UInt8(type >> 8), UInt8(type & 0xff)]
      + u32(UInt32(flags) << 24 | UInt32(body.count)) + body
  }

  static func u32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
  }

  static func readU32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
    let i = bytes.startIndex + at
    return UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
  }
}

/// Cuts a byte stream (the tunnel's messages split frames anywhere) into frames.
struct SPDYFrameParser: Sendable {
  private var buffer: [UInt8] = []

  enum ParseError: Error, Equatable { case unsupportedVersion(UInt16), frameTooShort(UInt16) }

  mutating func feed(_ bytes: [UInt8]) throws(ParseError) -> [SPDYFrame] {
    buffer += bytes
    var frames: [SPDYFrame] = []
    var offset = 0
    while buffer.count - offset >= 8 {
      let view = buffer[offset...]
      let length = Int(SPDYFrame.readU32(view, 4) & 0x00ff_ffff)
      let flags = buffer[offset + 4]
      guard buffer.count - offset - 8 >= length else { break }
      let body = buffer[(offset + 8)..<(offset + 8 + length)]
      if buffer[offset] & 0x80 != 0 {
        let version = UInt16(buffer[offset] & 0x7f) << 8 | UInt16(buffer[offset + 1])
        guard version == SPDYFrame.version else { throw .unsupportedVersion(version) }
        let type = UInt16(buffer[offset + 2]) << 8 | UInt16(buffer[offset + 3])
        frames.append(try Self.control(type: type, flags: flags, body: body))
      } else {
        let id = SPDYFrame.readU32(view, 0) & 0x7fff_ffff
        frames.append(.data(streamID: id, flags: flags, payload: Array(body)))
      }
      offset += 8 + length
    }
    buffer.removeFirst(offset)
    return frames
  }

  private static func control(type: UInt16, flags: UInt8, body: ArraySlice<UInt8>) throws(ParseError) -> SPDYFrame {
    let minimum: [UInt16: Int] = [1: 10, 2: 4, 3: 8, 4: 4, 6: 4, 7: 4, 8: 4, 9: 8]
    if let needed = minimum[type], body.count < needed { throw .frameTooShort(type) }
    let id = type == 4 ? 0 : SPDYFrame.readU32(body, 0) & 0x7fff_ffff
    switch type {
    case 1: return .synStream(streamID: id, flags: flags, headerBlock: Array(body.dropFirst(10)))
    case 2: return .synReply(streamID: id, flags: flags, headerBlock: Array(body.dropFirst(4)))
    case 3: return .rstStream(streamID: id, status: SPDYFrame.readU32(body, 4))
    case 4: return .settings
    case 6: return .ping(id: SPDYFrame.readU32(body, 0))
    case 7: return .goAway(lastStreamID: id)
    case 8: return .headers(streamID: id, flags: flags, headerBlock: Array(body.dropFirst(4)))
    case 9: return .windowUpdate(streamID: id, delta: SPDYFrame.readU32(body, 4) & 0x7fff_ffff)
    default: return .unknown(type: type)
    }
  }
}
