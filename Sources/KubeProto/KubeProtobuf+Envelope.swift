import KubeAPI

/// The `k8s\0` + `runtime.Unknown` wrapper every non-streaming protobuf body has.
extension KubeProtobuf {
  /// `depth` counts envelopes around this one (objects embedded in RawExtensions).
  static func decodeEnvelope(_ bytes: UnsafeBufferPointer<UInt8>, depth: Int = 0) throws -> (
    apiVersion: String, kind: String, object: JSONValue
  ) {
    guard bytes.starts(with: magic) else {
      throw KubeProtoError.malformed("the body does not start with the Kubernetes protobuf magic \"k8s\\0\"")
    }
    var reader = ProtoReader(bytes, from: magic.count)
    var apiVersion = ""
    var kind = ""
    var raw: Range<Int> = 0..<0
    var contentEncoding = ""
    var contentType = ""
    while !reader.isAtEnd {
      let (number, wireType) = try reader.readTag()
      guard wireType == .lengthDelimited else {
        try reader.skip(wireType)
        continue
      }
      let range = try reader.readLengthDelimited()
      switch number {
      case 1:
        var typeMeta = reader.sub(range)
        while !typeMeta.isAtEnd {
          let (field, fieldWireType) = try typeMeta.readTag()
          guard fieldWireType == .lengthDelimited, field == 1 || field == 2 else {
            try typeMeta.skip(fieldWireType)
            continue
          }
          let text = typeMeta.string(try typeMeta.readLengthDelimited())
          if field == 1 { apiVersion = text } else { kind = text }
        }
      case 2: raw = range
      case 3: contentEncoding = reader.string(range)
      case 4: contentType = reader.string(range)
      default: break
      }
    }
    guard contentEncoding.isEmpty, contentType.isEmpty || contentType.hasPrefix(mediaType) else {
      throw KubeProtoError.malformed(
        "the envelope carries \(contentType) \(contentEncoding) content; only plain protobuf is supported")
    }
    let table = ProtoTable.shared
    guard let index = table.message(apiVersion: apiVersion, kind: kind) else {
      throw KubeProtoError.unknownKind(apiVersion: apiVersion, kind: kind)
    }
    var object: JSONValue
    do {
      object = try ProtoDecoder(table: table, depth: depth).message(index, reader.sub(raw)) ?? .null
    } catch KubeProtoError.malformed(let reason) {
      throw KubeProtoError.malformed("\(apiVersion) \(kind): \(reason)")
    }
    guard case .object = object else {
      throw KubeProtoError.malformed("\(apiVersion) \(kind) does not decode to a JSON object")
    }
    object["apiVersion"] = .string(apiVersion)
    object["kind"] = .string(kind)
    return (apiVersion, kind, object)
  }

  static func encodeBody(apiVersion: String, kind: String, _ object: JSONValue, into writer: inout ProtoWriter)
    throws
  {
    let table = ProtoTable.shared
    guard let index = table.message(apiVersion: apiVersion, kind: kind) else {
      throw KubeProtoError.unknownKind(apiVersion: apiVersion, kind: kind)
    }
    try ProtoEncoder(table: table).message(index, object, into: &writer)
  }

  /// Writes the magic and the Unknown around the object message `body` appends; empty
  /// contentEncoding and contentType are written as Go writes them.
  static func encodeEnvelope(
    apiVersion: String, kind: String, into writer: inout ProtoWriter, body: (inout ProtoWriter) throws -> Void
  ) throws {
    writer.bytes += magic
    writer.writeMessage(1) { typeMeta in
      typeMeta.writeString(1, apiVersion)
      typeMeta.writeString(2, kind)
    }
    try writer.writeMessage(2, body)
    writer.writeString(3, "")
    writer.writeString(4, "")
  }
}
