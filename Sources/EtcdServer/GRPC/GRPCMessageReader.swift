import GRPCCore
import NIOCore

/// Splits the bytes of one request stream into gRPC messages: a compression flag byte, a 4-byte
/// big-endian length, then the message.
struct GRPCMessageReader {
  let maxMessageBytes: Int
  private var buffer = ByteBuffer()

  init(maxMessageBytes: Int) {
    self.maxMessageBytes = maxMessageBytes
  }

  /// Whether a message is partly received.
  var hasPartialMessage: Bool { buffer.readableBytes > 0 }

  mutating func append(_ bytes: ByteBuffer) {
    if buffer.readableBytes == 0 {
      buffer = bytes
    } else {
      var bytes = bytes
      buffer.writeBuffer(&bytes)
    }
  }

  /// The next whole message, nil until one has arrived. A message over the limit is refused as
  /// soon as its length is known, so it is never buffered.
  mutating func next() throws(RPCError) -> [UInt8]? {
    guard let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
      let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
    else { return nil }
    if flag != 0 {
      throw RPCError(code: .unimplemented, message: "grpc: compressed messages are not supported")
    }
    if length > maxMessageBytes {
      throw RPCError(
        code: .resourceExhausted, message: "grpc: received message larger than max (\(length) vs. \(maxMessageBytes))")
    }
    guard buffer.readableBytes >= 5 + Int(length) else { return nil }
    buffer.moveReaderIndex(forwardBy: 5)
    return buffer.readBytes(length: Int(length))
  }
}
