import KubeAPI
import Testing

@testable import KubeSchema

/// Reads protobuf wire format generically (field number → raw values), to check the encoder's layout
/// against gnostic's openapi.v2 field numbers.
struct WireFields {
  var fields: [(Int, [UInt8])] = []

  init(_ bytes: [UInt8]) throws {
    var at = 0
    func varint() throws -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while true {
        guard at < bytes.count else { throw SchemaError.invalidSchema("truncated varint") }
        let byte = bytes[at]
        at += 1
        result |= UInt64(byte & 0x7f) << shift
        if byte < 0x80 { return result }
        shift += 7
      }
    }
    while at < bytes.count {
      let key = try varint()
      switch key & 7 {
      case 0: fields.append((Int(key >> 3), Array(String(try varint()).utf8)))
      case 2:
        let length = Int(try varint())
        fields.append((Int(key >> 3), Array(bytes[at..<at + length])))
        at += length
      default: throw SchemaError.invalidSchema("unexpected wire type")
      }
    }
  }

  func all(_ number: Int) -> [[UInt8]] { fields.filter { $0.0 == number }.map(\.1) }
  func string(_ number: Int) -> String? { all(number).first.map { String(decoding: $0, as: UTF8.self) } }
}

@Suite struct OpenAPIV2ProtobufTests {
  @Test func documentLayoutMatchesGnostic() throws {
    let bytes = SchemaRegistry.builtIn.openAPIV2Protobuf(resources: Array(ServedResource.builtIns.prefix(12)))
    let document = try WireFields(bytes)
    #expect(document.string(1) == "2.0")
    #expect(try WireFields(document.all(2)[0]).string(1) == "Kubernetes")
    // definitions (9) → NamedSchema (1) → name (1), Schema (2)
    let definitions = try WireFields(document.all(9)[0]).all(1).map { try WireFields($0) }
    let pod = try #require(definitions.first { $0.string(1) == "io.k8s.api.core.v1.Pod" })
    let schema = try WireFields(pod.all(2)[0])
    // Schema.type (22) is a TypeItem with value "object"; vendor extensions (31) carry the GVK as YAML text.
    #expect(try WireFields(schema.all(22)[0]).string(1) == "object")
    let extensions = try schema.all(31).map { try WireFields($0) }
    let gvk = try #require(extensions.first { $0.string(1) == "x-kubernetes-group-version-kind" })
    #expect(try WireFields(gvk.all(2)[0]).string(2) == #"[{"group":"","kind":"Pod","version":"v1"}]"#)
    // paths (8) → NamedPathItem (2); the pod item path has a patch operation (8).
    let paths = try WireFields(document.all(8)[0]).all(2).map { try WireFields($0) }
    let item = try #require(paths.first { $0.string(1) == "/api/v1/namespaces/{namespace}/pods/{name}" })
    #expect(try WireFields(item.all(2)[0]).all(8).count == 1)
  }
}
