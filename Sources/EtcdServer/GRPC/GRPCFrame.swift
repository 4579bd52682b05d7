import NIOCore
import SwiftProtobuf

/// A response message serialized straight into its gRPC frame: the 5-byte prefix (compression
/// flag, big-endian length) is reserved in front, so a large answer (a list of 10,000 keys is
/// ~13 MB) is not copied again to add it.
struct GRPCFrame: SwiftProtobufContiguousBytes {
  private static let prefix = 5
  /// The whole frame, prefix included.
  private(set) var buffer: ByteBuffer

  init(repeating byte: UInt8, count: Int) {
    buffer = Self.prefixed(count)
    buffer.writeRepeatingByte(byte, count: count)
  }

  init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
    let bytes = Array(sequence)
    buffer = Self.prefixed(bytes.count)
    buffer.writeBytes(bytes)
  }

  /// A buffer holding just the prefix of a `count`-byte message, with room for the message.
  private static func prefixed(_ count: Int) -> ByteBuffer {
    var buffer = ByteBufferAllocator().buffer(capacity: prefix + count)
    buffer.writeInteger(UInt8(0))
    buffer.writeInteger(UInt32(count))
    return buffer
  }

  var count: Int { buffer.readableBytes - Self.prefix }

  func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try buffer.withUnsafeReadableBytes { try body(UnsafeRawBufferPointer(rebasing: $0.dropFirst(Self.prefix))) }
  }

  mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    try buffer.withUnsafeMutableReadableBytes {
      try body(UnsafeMutableRawBufferPointer(rebasing: $0.dropFirst(Self.prefix)))
    }
  }
}

extension Message {
  /// This message as one gRPC frame, ready for a DATA frame.
  func grpcFrame() throws -> ByteBuffer {
    let frame: GRPCFrame = try serializedBytes()
    return frame.buffer
  }
}
