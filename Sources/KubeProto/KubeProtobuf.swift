import KubeAPI

/// Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`) for the built-in
/// kinds, converted to and from the JSON form the API server works on.
///
/// A body is the 4-byte magic `k8s\0` and a `runtime.Unknown` whose TypeMeta names the kind and
/// whose `raw` is the object's message. Watch streams (`;stream=watch`) are frames of a 4-byte
/// big-endian length and a bare `metav1.WatchEvent` message, whose object is such a body.
public enum KubeProtobuf {
  public static let mediaType = "application/vnd.kubernetes.protobuf"
  public static let watchMediaType = "application/vnd.kubernetes.protobuf;stream=watch"
  static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

  /// Whether `apiVersion`/`kind` can be written as protobuf (false for custom resources).
  public static func canEncode(apiVersion: String, kind: String) -> Bool {
    ProtoTable.shared.message(apiVersion: apiVersion, kind: kind) != nil
  }

  /// The object in a protobuf request body, as JSON with `apiVersion` and `kind` set.
  public static func decode(_ bytes: [UInt8]) throws -> (apiVersion: String, kind: String, object: JSONValue) {
    try bytes.withUnsafeBufferPointer { try decodeEnvelope($0) }
  }

  /// A protobuf body for a JSON object that carries its `apiVersion` and `kind`.
  public static func encode(_ object: JSONValue) throws -> [UInt8] {
    guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else {
      throw KubeProtoError.invalidValue(path: "", reason: "the object has no apiVersion and kind")
    }
    var writer = ProtoWriter(capacity: 1024)
    try encodeEnvelope(apiVersion: apiVersion, kind: kind, into: &writer) { writer in
      try encodeBody(apiVersion: apiVersion, kind: kind, object, into: &writer)
    }
    return writer.bytes
  }

  /// A protobuf list body (`kind` is the list kind, e.g. "PodList") from its items and list
  /// metadata, without first assembling the whole list as one JSON value.
  public static func encodeList(apiVersion: String, kind: String, items: [JSONValue], metadata: JSONValue)
    throws -> [UInt8]
  {
    let table = ProtoTable.shared
    guard let index = table.message(apiVersion: apiVersion, kind: kind) else {
      throw KubeProtoError.unknownKind(apiVersion: apiVersion, kind: kind)
    }
    let descriptor = table.messages[index]
    guard let metadataField = descriptor.field(number: 1), let itemsField = descriptor.field(number: 2),
      case .message(let metadataIndex) = metadataField.type, case .message(let itemIndex) = itemsField.type
    else { throw KubeProtoError.unknownKind(apiVersion: apiVersion, kind: kind) }
    let encoder = ProtoEncoder(table: table)
    var writer = ProtoWriter(capacity: 1024 + items.count * 1024)
    try encodeEnvelope(apiVersion: apiVersion, kind: kind, into: &writer) { writer in
      try writer.writeMessage(1) { try encoder.message(metadataIndex, metadata, into: &$0) }
      for (position, item) in items.enumerated() {
        do {
          try writer.writeMessage(2) { try encoder.message(itemIndex, item, into: &$0) }
        } catch let KubeProtoError.invalidValue(path, reason) {
          throw KubeProtoError.invalidValue(
            path: "items[\(position)]" + (path.isEmpty ? "" : "." + path), reason: reason)
        }
      }
    }
    return writer.bytes
  }

  /// One watch-stream frame: 4-byte big-endian length, then a `metav1.WatchEvent` whose object
  /// is a full protobuf body. `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
  public static func encodeWatchEvent(type: String, object: JSONValue) throws -> [UInt8] {
    let body = try encode(object)
    var writer = ProtoWriter(capacity: body.count + 32)
    writer.bytes = [0, 0, 0, 0]
    writer.writeString(1, type)
    writer.writeMessage(2) { $0.writeBytes(1, body) }
    let length = UInt32(writer.bytes.count - 4)
    for offset in 0..<4 { writer.bytes[offset] = UInt8(truncatingIfNeeded: length >> (24 - 8 * UInt32(offset))) }
    return writer.bytes
  }

  /// A protobuf `metav1.Status` body; apiVersion "v1" and kind "Status" are filled in if missing.
  public static func encodeStatus(_ status: JSONValue) throws -> [UInt8] {
    var status = status
    if status["apiVersion"] == nil { status["apiVersion"] = .string("v1") }
    if status["kind"] == nil { status["kind"] = .string("Status") }
    return try encode(status)
  }

  /// The event in one watch frame (with or without its 4-byte length prefix).
  public static func decodeWatchEvent(_ frame: [UInt8]) throws -> (type: String, object: JSONValue) {
    try frame.withUnsafeBufferPointer { bytes in
      var start = 0
      if bytes.count >= 4 {
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        if length == bytes.count - 4 { start = 4 }
      }
      let table = ProtoTable.shared
      guard let index = table.metaKinds["WatchEvent"] else { throw KubeProtoError.table("no WatchEvent") }
      let event = try ProtoDecoder(table: table).message(index, ProtoReader(bytes, from: start))
      guard let type = event?["type"]?.stringValue else { throw KubeProtoError.malformed("watch event has no type") }
      return (type, event?["object"] ?? .null)
    }
  }
}
