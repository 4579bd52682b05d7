import NIOCore
import Store

/// An etcd RangeResponse written straight from the store's key-values into its gRPC frame.
///
/// A list of 10,000 keys is ~10 MB; going through `Mvccpb_KeyValue` copied every key and value
/// into a `Data` of its own and walked the messages twice more to size and write them. Here
/// the size is summed once, one buffer is allocated, and each byte is copied once. Fields go
/// out in field-number order with proto3's defaults left out, byte for byte what SwiftProtobuf
/// writes for the same message.
enum RangeResponseFrame {
  static func encode(
    header: Etcdserverpb_ResponseHeader, kvs: [KeyValue], more: Bool, count: Int64
  ) throws -> ByteBuffer {
    let headerBytes: [UInt8] = try header.serializedBytes()
    var size = 1 + varintSize(UInt64(headerBytes.count)) + headerBytes.count
    for kv in kvs {
      let length = keyValueSize(kv)
      size += 1 + varintSize(UInt64(length)) + length
    }
    if more { size += 2 }
    if count != 0 { size += 1 + varintSize(UInt64(bitPattern: count)) }

    var buffer = ByteBufferAllocator().buffer(capacity: 5 + size)
    buffer.writeInteger(UInt8(0))  // not compressed
    buffer.writeInteger(UInt32(size))
    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
      var out = Output(raw.baseAddress!)
      out.byte(1 << 3 | 2)
      out.varint(UInt64(headerBytes.count))
      out.bytes(headerBytes)
      for kv in kvs {
        out.byte(2 << 3 | 2)
        out.varint(UInt64(keyValueSize(kv)))
        out.bytes(field: 1, kv.key)
        out.int64(field: 2, kv.createRevision)
        out.int64(field: 3, kv.modRevision)
        out.int64(field: 4, kv.version)
        out.bytes(field: 5, kv.value)
        out.int64(field: 6, kv.lease)
      }
      out.int64(field: 3, more ? 1 : 0)  // a bool is a varint too
      out.int64(field: 4, count)
      let written = out.pointer - raw.baseAddress!
      assert(written == size, "RangeResponse sized \(size) bytes, wrote \(written)")
      return written
    }
    return buffer
  }

  /// mvccpb.KeyValue: key 1, create_revision 2, mod_revision 3, version 4, value 5, lease 6.
  private static func keyValueSize(_ kv: KeyValue) -> Int {
    bytesSize(kv.key) + int64Size(kv.createRevision) + int64Size(kv.modRevision) + int64Size(kv.version)
      + bytesSize(kv.value) + int64Size(kv.lease)
  }

  // Every field number here is below 16, so each tag is one byte.

  private static func bytesSize(_ bytes: [UInt8]) -> Int {
    bytes.isEmpty ? 0 : 1 + varintSize(UInt64(bytes.count)) + bytes.count
  }

  private static func int64Size(_ value: Int64) -> Int {
    value == 0 ? 0 : 1 + varintSize(UInt64(bitPattern: value))
  }

  private static func varintSize(_ value: UInt64) -> Int {
    max(1, (64 - value.leadingZeroBitCount + 6) / 7)
  }

  /// Writes into memory sized beforehand, so no write checks for room.
  private struct Output {
    var pointer: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }

    mutating func byte(_ value: UInt8) {
      pointer.storeBytes(of: value, as: UInt8.self)
      pointer += 1
    }

    mutating func varint(_ value: UInt64) {
      var value = value
      while value >= 0x80 {
        byte(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
      }
      byte(UInt8(value))
    }

    mutating func bytes(_ bytes: [UInt8]) {
      bytes.withUnsafeBytes { source in
        guard let base = source.baseAddress else { return }
        pointer.copyMemory(from: base, byteCount: source.count)
        pointer += source.count
      }
    }

    mutating func bytes(field: UInt8, _ value: [UInt8]) {
      guard !value.isEmpty else { return }
      byte(field << 3 | 2)
      varint(UInt64(value.count))
      bytes(value)
    }

    /// int64 is a plain varint: a negative value takes ten bytes, as protobuf specifies.
    mutating func int64(field: UInt8, _ value: Int64) {
      guard value != 0 else { return }
      byte(field << 3)
      varint(UInt64(bitPattern: value))
    }
  }
}
