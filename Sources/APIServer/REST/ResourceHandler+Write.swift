import Foundation
import KubeAPI
import NIOHTTP1
import Store

extension ResourceHandler {
  func create() async throws(APIError) -> HTTPResponse {
    var object = try bodyObject()
    try checkTypeMeta(&object)
    let fieldWarnings = try state.schema.checkFields(&object, definition: definition, mode: fieldValidation)
    return try await create(definition.toStorage(object), warnings: fieldWarnings, recordManager: true)
  }

  /// The fieldValidation mode: Strict, Warn (upstream's default) or Ignore.
  var fieldValidation: String { request.parameter("fieldValidation") ?? "Warn" }

  /// Who is writing, for managedFields: the fieldManager parameter, else the user agent's
  /// program name, as upstream derives it.
  var fieldManager: String {
    if let manager = request.parameter("fieldManager"), !manager.isEmpty { return manager }
    let agent = request.headers.first(name: "user-agent") ?? "unknown"
    return String(agent.split(separator: "/").first ?? "unknown")
  }

  /// Creates `proposed`; an apply patch has already recorded its manager.
  func create(_ proposed: JSONValue, warnings extra: [String], recordManager: Bool) async throws(APIError)
    -> HTTPResponse
  {
    var object = proposed
    var metadata = object["metadata"] ?? .object([:])
    if definition.namespaced {
      let bodyNamespace = metadata["namespace"]?.stringValue ?? ""
      guard let namespace = target.namespace else {
        throw APIError.badRequest("the server could not find the requested resource")
      }
      if !bodyNamespace.isEmpty && bodyNamespace != namespace {
        throw APIError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request")
      }
      metadata["namespace"] = .string(namespace)
    } else {
      metadata["namespace"] = nil
    }
    var name = metadata["name"]?.stringValue ?? ""
    if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
      name = NameGenerator.generate(prefix: prefix)
      metadata["name"] = .string(name)
    }
    ObjectLifecycle.initialize(&metadata, tracksGeneration: definition.strategy.tracksGeneration, now: state.now())
    object["metadata"] = metadata
    if definition.strategy.resetsStatusOnCreate { object["status"] = nil }
    if definition.plural == "services" && definition.group.isEmpty {
      // Addresses in use come from the services cache: let it catch up with the store first.
      await state.cache(for: definition).waitUntilFresh(state.log.currentRevision)
    }
    let context = StrategyContext(now: state.now(), isCreate: true, allocator: state.serviceAllocator, user: user)
    try runStrategy(&object, old: nil, context: context)
    let warnings = try await extra + state.admit(handler: self, object: &object, old: nil)
    if recordManager {
      object = state.schema.recordUpdate(
        from: nil, to: object, definition: definition, manager: fieldManager, subresource: nil, now: state.now())
    }
    let key = definition.storageKey(namespace: namespace, name: name)
    if isDryRun { return respond(.created, object: object, warnings: warnings) }
    do {
      let revision = try await state.objects.create(key: key, value: object.encoded())
      CachedObject.stamp(&object, revision: revision)
    } catch ObjectStore.Outcome.exists {
      state.serviceAllocator?.release(object)
      throw APIError.alreadyExists(definition, name: name)
    } catch {
      state.serviceAllocator?.release(object)
      throw APIError.storage(error)
    }
    return respond(.created, object: object, warnings: warnings)
  }

  /// Defaults, then validates; a failure is a 422 naming every bad field.
  func runStrategy(_ object: inout JSONValue, old: JSONValue?, context: StrategyContext) throws(APIError) {
    do {
      try definition.strategy.defaults(&object, context)
    } catch let error as APIError {
      throw error
    } catch {
      throw APIError.internalError("\(error)")
    }
    var errors = ObjectLifecycle.validateMetadata(object, definition: definition, old: old)
    errors += definition.strategy.validate(object, old, context)
    errors += state.schema.validateCustom(object, definition: definition)
    if !errors.isEmpty {
      throw APIError.invalid(definition, name: object["metadata"]?["name"]?.stringValue ?? "", errors: errors)
    }
  }

  /// apiVersion and kind in a body must name this resource; missing ones come from the URL,
  /// as upstream's decoder defaults them (clients such as the Python one omit them).
  func checkTypeMeta(_ object: inout JSONValue) throws(APIError) {
    let apiVersion = object["apiVersion"]?.stringValue ?? ""
    let kind = object["kind"]?.stringValue ?? ""
    if !apiVersion.isEmpty && apiVersion != definition.apiVersion
      && !(definition.storageVersion != nil && apiVersion.hasPrefix(definition.group + "/"))
    {
      throw APIError.badRequest(
        "the API version in the data (\(apiVersion)) does not match the expected API version (\(definition.apiVersion))"
      )
    }
    if !kind.isEmpty && kind != definition.kind {
      throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(definition.kind))")
    }
    object["apiVersion"] = .string(definition.apiVersion)
    object["kind"] = .string(definition.kind)
  }

  /// Reads the current object (consistently) with its store revision.
  func current(name: String) async throws(APIError) -> (object: JSONValue, revision: Int64) {
    let key = definition.storageKey(namespace: namespace, name: name)
    let kv: KeyValue?
    do { kv = try await state.objects.get(key: key) } catch { throw APIError.storage(error) }
    guard let kv, var object = try? JSONValue.decode(kv.value) else { throw APIError.notFound(definition, name: name) }
    CachedObject.stamp(&object, revision: kv.modRevision)
    return (object, kv.modRevision)
  }

  func update(name: String, subresource: ResourceDefinition.Subresource?) async throws(APIError) -> HTTPResponse {
    var object = try bodyObject()
    try checkTypeMeta(&object)
    let fieldWarnings = try state.schema.checkFields(&object, definition: definition, mode: fieldValidation)
    object = definition.toStorage(object)
    let bodyName = object["metadata"]?["name"]?.stringValue ?? ""
    if bodyName != name {
      throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
    }
    let asked = Int64(object["metadata"]?["resourceVersion"]?.stringValue ?? "")
    let (old, revision) = try await current(name: name)
    if let asked, asked != revision { throw APIError.conflict(definition, name: name) }
    return try await store(object, old: old, revision: revision, subresource: subresource, warnings: fieldWarnings)
  }

  /// The common tail of update and patch: carry what clients may not change, default,
  /// validate, admit, then compare-and-swap at the revision that was read.
  func store(
    _ proposed: JSONValue, old: JSONValue, revision: Int64, subresource: ResourceDefinition.Subresource?,
    warnings extra: [String] = [], recordManager: Bool = true
  ) async throws(APIError) -> HTTPResponse {
    var object = proposed
    let name = old["metadata"]?["name"]?.stringValue ?? ""
    ObjectLifecycle.carryOver(&object, from: old, definition: definition, subresource: subresource)
    let context = StrategyContext(now: state.now(), isCreate: false, allocator: state.serviceAllocator)
    try runStrategy(&object, old: old, context: context)
    let warnings = try await extra + state.admit(handler: self, object: &object, old: old)
    if recordManager {
      object = state.schema.recordUpdate(
        from: old, to: object, definition: definition, manager: fieldManager, subresource: subresource?.rawValue,
        now: state.now())
    }
    if ObjectLifecycle.isUnchanged(object, old) || isDryRun {
      return respond(.ok, object: isDryRun ? object : old, warnings: warnings)
    }
    let key = definition.storageKey(namespace: namespace, name: name)
    do {
      if ObjectLifecycle.isFinalized(object, definition: definition) {
        let deleted = try await state.objects.delete(key: key, revision: revision)
        CachedObject.stamp(&object, revision: deleted)
        return respond(.ok, object: object)
      }
      let written = try await state.objects.update(key: key, value: object.encoded(), revision: revision)
      CachedObject.stamp(&object, revision: written)
    } catch ObjectStore.Outcome.modified {
      throw APIError.conflict(definition, name: name)
    } catch ObjectStore.Outcome.missing {
      throw APIError.notFound(definition, name: name)
    } catch {
      throw APIError.storage(error)
    }
    return respond(.ok, object: object, warnings: warnings)
  }

  func patch(name: String, subresource: ResourceDefinition.Subresource?) async throws(APIError) -> HTTPResponse {
    let type =
      request.headers.first(name: "content-type")?.split(separator: ";").first.map {
        $0.trimmingCharacters(in: .whitespaces)
      } ?? ""
    let patch = try PatchRequest(contentType: type, body: request.body, definition: definition, state: state)
    // Retry on a concurrent write: a patch is relative to whatever the object is now.
    let isApply = patch.kind == .apply
    for attempt in 0..<5 {
      let old: JSONValue
      let revision: Int64
      do {
        (old, revision) = try await current(name: name)
      } catch let error where error.code == 404 && isApply && subresource == nil {
        // Server-side apply creates what does not exist yet.
        var created = try patch.apply(to: nil, fieldManager: request.parameter("fieldManager"), force: true)
        try checkTypeMeta(&created)
        created["metadata"]?["name"] = .string(name)
        let fieldWarnings = try state.schema.checkFields(&created, definition: definition, mode: fieldValidation)
        return try await create(definition.toStorage(created), warnings: fieldWarnings, recordManager: false)
      }
      var patched = try patch.apply(
        to: definition.fromStorage(old), fieldManager: request.parameter("fieldManager"), force: request.flag("force"),
        subresource: subresource?.rawValue)
      if let asked = patched["metadata"]?["resourceVersion"]?.stringValue, asked != String(revision) {
        throw APIError.conflict(definition, name: name)
      }
      if patched["metadata"]?["name"]?.stringValue != name {
        throw APIError.badRequest("metadata.name: Invalid value: the name of the patched object does not match")
      }
      patched["apiVersion"] = .string(definition.apiVersion)
      patched["kind"] = .string(definition.kind)
      patched = definition.toStorage(patched)
      do {
        return try await store(patched, old: old, revision: revision, subresource: subresource, recordManager: !isApply)
      } catch let error where error.reason == "Conflict" && attempt < 4 && patch.retriesOnConflict {
        continue
      }
    }
    throw APIError.conflict(definition, name: name)
  }
}

extension APIError {
  /// A datastore failure: unavailable when the database is, internal otherwise.
  static func storage(_ error: Error) -> APIError {
    if let error = error as? APIError { return error }
    if let error = error as? StoreError {
      if error.isUnavailable { return .unavailable("the datastore is unavailable: \(error)") }
      if case .compacted = error { return .gone("\(error)") }
    }
    return .internalError("\(error)")
  }
}
