import Foundation
import NIOCore
import Store
import Testing

@testable import EtcdServer

/// The hand-written Range frame must be what SwiftProtobuf writes for the same message, byte for
/// byte, whatever fields are empty, zero, negative or large.
struct RangeResponseFrameTests {
  static let cases: [(kvs: [KeyValue], more: Bool, count: Int64)] = [
    ([], false, 0),
    ([KeyValue(key: Array("a".utf8))], false, 1),
    (
      [
        KeyValue(
          key: Array("/registry/pods/default/web".utf8), value: Array(repeating: 0x61, count: 1024),
          createRevision: 5, modRevision: 300, version: 2, lease: 0x7F00_0000_0000_0001),
        KeyValue(key: Array("k".utf8), value: [], createRevision: 1, modRevision: 1, version: 1, lease: -1),
        KeyValue(key: Array(repeating: 0x7A, count: 200), value: Array(repeating: 0, count: 70_000), modRevision: 128),
      ], true, 10_000
    ),
  ]

  @Test(arguments: 0..<cases.count) func matchesSwiftProtobuf(index: Int) throws {
    let (kvs, more, count) = Self.cases[index]
    var header = Etcdserverpb_ResponseHeader()
    header.clusterID = 0xDEAD_BEEF_0000_0001
    header.memberID = 42
    header.revision = 1_000_000
    header.raftTerm = 2

    var message = Etcdserverpb_RangeResponse()
    message.header = header
    message.kvs = kvs.map(Mvccpb_KeyValue.init)
    message.more = more
    message.count = count
    let expected: [UInt8] = try message.serializedBytes()

    var frame = try RangeResponseFrame.encode(header: header, kvs: kvs, more: more, count: count)
    #expect(frame.readInteger(as: UInt8.self) == 0)
    #expect(frame.readInteger(as: UInt32.self) == UInt32(expected.count))
    let actual = frame.readBytes(length: frame.readableBytes) ?? []
    #expect(actual == expected)
    #expect(try Etcdserverpb_RangeResponse(serializedBytes: actual) == message)
  }
}
