import KubeAPI

/// A PATCH body and how to apply it to the current object.
struct PatchRequest: Sendable {
  enum Kind: Sendable { case json, merge, strategic, apply }

  let kind: Kind
  let patch: JSONValue
  let definition: ResourceDefinition
  let state: APIState

  init(contentType: String, body: [UInt8], definition: ResourceDefinition, state: APIState) throws(APIError) {
    switch contentType {
    case "application/json-patch+json": kind = .json
    case "application/merge-patch+json": kind = .merge
    case "application/strategic-merge-patch+json": kind = .strategic
    case "application/apply-patch+yaml", "application/apply-patch+cbor": kind = .apply
    default: throw APIError.unsupportedMediaType(contentType)
    }
    do {
      patch = kind == .apply ? try JSONValue.parseYAML(body) : try JSONValue.decode(body)
    } catch {
      throw APIError.badRequest("error decoding patch: \(error)")
    }
    if kind == .json, patch.arrayValue == nil {
      throw APIError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
    }
    if kind != .json, patch.objectValue == nil {
      throw APIError.badRequest(
        "json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
    }
    self.definition = definition
    self.state = state
  }

  /// JSON patches that `test` a value must not silently retry against a newer object.
  var retriesOnConflict: Bool { kind != .json }

  /// The patched object; an apply patch with no live object (`object` nil) creates one.
  func apply(
    to object: JSONValue?, fieldManager: String?, force: Bool, subresource: String? = nil
  ) throws(APIError) -> JSONValue {
    if kind == .apply {
      guard let manager = fieldManager, !manager.isEmpty else {
        throw APIError(
          code: 422, reason: "Invalid",
          message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch"
        )
      }
      return try state.schema.apply(
        patch, to: object, definition: definition, manager: manager, force: force, subresource: subresource,
        now: state.now())
    }
    guard let object else { throw APIError.notFound(definition, name: "") }
    switch kind {
    case .json:
      do { return try JSONPatch.apply(patch, to: object) } catch {
        throw APIError(
          code: 422, reason: "Invalid",
          message: "the server rejected our request due to an error in our request: \(error.message)")
      }
    case .merge: return JSONMergePatch.apply(patch, to: object)
    case .strategic: return try state.schema.strategicMerge(patch, to: object, definition: definition)
    case .apply: return object
    }
  }
}
