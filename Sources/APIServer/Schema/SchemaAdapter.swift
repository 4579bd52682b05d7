import KubeAPI
import KubeSchema
import Synchronization

/// The API server's view of the schema registry: built-in types plus the established CRDs,
/// used for strategic merge, server-side apply, field validation, pruning and OpenAPI.
final class SchemaAdapter: Sendable {
  private let registry = Mutex(SchemaRegistry.builtIn)

  var current: SchemaRegistry { registry.withLock { $0 } }

  static func gvk(_ definition: ResourceDefinition) -> GVK {
    GVK(group: definition.group, version: definition.version, kind: definition.kind)
  }

  func addCustomResourceDefinition(_ crd: JSONValue) {
    _ = registry.withLock { try? $0.addCustomResourceDefinition(crd) }
  }

  func removeCustomResources(group: String, kind: String) {
    registry.withLock { $0.removeCustomResources(group: group, kind: kind) }
  }

  static func apiError(_ error: Error) -> APIError {
    guard let error = error as? SchemaError else { return .internalError("\(error)") }
    switch error {
    case .conflict(let message, let conflicts):
      return APIError(
        code: 409, reason: "Conflict", message: message,
        details: .object([
          "causes": .array(
            conflicts.map {
              .object([
                "reason": .string("FieldManagerConflict"), "message": .string($0.message), "field": .string($0.field),
              ])
            })
        ]))
    case .unknownFields(let fields):
      return .badRequest("strict decoding error: " + fields.joined(separator: ", "))
    case .invalidPatch(let why): return .badRequest(why)
    case .invalidSchema(let why): return APIError(code: 422, reason: "Invalid", message: why)
    }
  }

  func strategicMerge(_ patch: JSONValue, to object: JSONValue, definition: ResourceDefinition) throws(APIError)
    -> JSONValue
  {
    let schema = current
    let gvk = Self.gvk(definition)
    if schema.isCustom(gvk) {
      throw APIError(
        code: 415, reason: "UnsupportedMediaType",
        message:
          "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
      )
    }
    do { return try schema.applyStrategicMergePatch(patch, to: object, kind: gvk) } catch {
      throw Self.apiError(error)
    }
  }

  /// Server-side apply on the live object (nil creates). The main resource does not own
  /// status, and the status subresource owns only status.
  func apply(
    _ applied: JSONValue, to live: JSONValue?, definition: ResourceDefinition, manager: String, force: Bool,
    subresource: String?, now: String
  ) throws(APIError) -> JSONValue {
    let ignoring = definition.strategy.hasStatus && subresource == nil ? [ManagedFieldPath([.field("status")])] : []
    do {
      return try current.serverSideApply(
        applied, to: live, kind: Self.gvk(definition), manager: manager, force: force, subresource: subresource,
        ignoring: ignoring, now: now)
    } catch {
      throw Self.apiError(error)
    }
  }

  /// managedFields bookkeeping for a create, update or non-apply patch.
  func recordUpdate(
    from old: JSONValue?, to new: JSONValue, definition: ResourceDefinition, manager: String, subresource: String?,
    now: String
  ) -> JSONValue {
    let ignoring = definition.strategy.hasStatus && subresource == nil ? [ManagedFieldPath([.field("status")])] : []
    return current.recordUpdate(
      from: old, to: new, kind: Self.gvk(definition), manager: manager, subresource: subresource,
      ignoring: ignoring, now: now)
  }

  /// fieldValidation: unknown fields are an error (Strict), a warning (Warn) or nothing
  /// (Ignore); custom resources drop them, as CRD pruning does.
  func checkFields(_ object: inout JSONValue, definition: ResourceDefinition, mode: String) throws(APIError) -> [String]
  {
    let schema = current
    let gvk = Self.gvk(definition)
    if schema.isCustom(gvk) {
      let (pruned, paths) = schema.prune(object, kind: gvk)
      if mode == "Strict" && !paths.isEmpty {
        throw .badRequest(
          "strict decoding error: " + SchemaRegistry.unknownFieldMessages(paths).joined(separator: ", "))
      }
      object = schema.applyDefaults(pruned, kind: gvk)
      return mode == "Ignore" ? [] : SchemaRegistry.unknownFieldMessages(paths)
    }
    guard mode != "Ignore" else { return [] }
    let paths = schema.unknownFields(in: object, kind: gvk)
    if paths.isEmpty { return [] }
    let messages = SchemaRegistry.unknownFieldMessages(paths)
    if mode == "Strict" { throw .badRequest("strict decoding error: " + messages.joined(separator: ", ")) }
    return messages
  }

  /// Structural-schema validation of a custom resource (types, required, enums).
  func validateCustom(_ object: JSONValue, definition: ResourceDefinition) -> [FieldError] {
    let schema = current
    let gvk = Self.gvk(definition)
    guard schema.isCustom(gvk) else { return [] }
    return schema.validate(object, kind: gvk)
  }

  func served(_ definitions: [ResourceDefinition]) -> [ServedResource] {
    definitions.map {
      ServedResource(
        group: $0.group, version: $0.version, kind: $0.kind, plural: $0.plural, namespaced: $0.namespaced,
        verbs: $0.verbs, subresources: $0.subresources.map(\.rawValue).sorted())
    }
  }
}
