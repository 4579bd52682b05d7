/// Everything KubeProto refuses. The API server answers `unknownKind` with 415 (the client may
/// retry as JSON) and the others with 400, each carrying this message.
public enum KubeProtoError: Error, Sendable, Equatable, CustomStringConvertible {
  /// No message description for this apiVersion/kind (custom resources, unserved groups).
  case unknownKind(apiVersion: String, kind: String)
  /// The bytes are not a Kubernetes protobuf body, or a message in them is cut short or corrupt.
  case malformed(String)
  /// A JSON value cannot be written as the protobuf field it belongs to; `path` is the JSON path.
  case invalidValue(path: String, reason: String)
  /// The generated field table itself is inconsistent (a build defect, not a client error).
  case table(String)

  public var description: String {
    switch self {
    case .unknownKind(let apiVersion, let kind):
      "no protobuf description for \(apiVersion.isEmpty ? "<no apiVersion>" : apiVersion) "
        + "\(kind.isEmpty ? "<no kind>" : kind); send it as application/json"
    case .malformed(let reason): "malformed protobuf body: \(reason)"
    case .invalidValue(let path, let reason): "cannot encode \(path) as protobuf: \(reason)"
    case .table(let reason): "KubeProto field table is inconsistent: \(reason)"
    }
  }
}
