/// Everything KubeSchema can refuse. `status` is the HTTP code the API server should answer with.
public enum SchemaError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A CRD schema that is not structural or uses a construct we do not understand.
  case invalidSchema(String)
  /// A patch that cannot be applied (bad directive, wrong shape, missing merge key).
  case invalidPatch(String)
  /// Strict field validation found fields the schema does not know (kube-apiserver's text per field).
  case unknownFields([String])
  /// Server-side apply found fields owned by other managers: the full message and one cause per field
  /// (`Status.details.causes` with type `FieldManagerConflict`).
  case conflict(String, [ApplyConflict])

  public var status: Int {
    switch self {
    case .invalidSchema: 422
    case .invalidPatch: 400
    case .unknownFields: 400
    case .conflict: 409
    }
  }

  public var description: String {
    switch self {
    case .invalidSchema(let why): "invalid schema: \(why)"
    case .invalidPatch(let why): why
    case .unknownFields(let fields): fields.joined(separator: ", ")
    case .conflict(let message, _): message
    }
  }
}

/// One field an apply would change that another manager owns.
public struct ApplyConflict: Sendable, Hashable {
  /// Path as upstream prints it, e.g. `.spec.replicas` or `.spec.containers[name="app"].image`.
  public var field: String
  /// `conflict with "kubectl-client-side-apply" using apps/v1`.
  public var message: String
}
