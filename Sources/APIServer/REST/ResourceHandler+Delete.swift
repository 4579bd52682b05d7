import Foundation
import KubeAPI
import NIOHTTP1
import Store

extension ResourceHandler {
  /// DeleteOptions from the body or the query: grace period, propagation, preconditions.
  struct DeleteOptions {
    var gracePeriodSeconds: Int64?
    var propagationPolicy: String?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
  }

  func deleteOptions() throws(APIError) -> DeleteOptions {
    var options = DeleteOptions()
    if !request.body.isEmpty, let body = try? JSONValue.decode(request.body) {
      options.gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
      options.propagationPolicy = body["propagationPolicy"]?.stringValue
      if body["orphanDependents"]?.boolValue == true { options.propagationPolicy = "Orphan" }
      options.preconditionUID = body["preconditions"]?["uid"]?.stringValue
      options.preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
    }
    if let grace = request.parameter("gracePeriodSeconds").flatMap(Int64.init) { options.gracePeriodSeconds = grace }
    if let policy = request.parameter("propagationPolicy") { options.propagationPolicy = policy }
    if let policy = options.propagationPolicy, !["Orphan", "Background", "Foreground"].contains(policy) {
      throw APIError.invalid(
        definition, name: target.name ?? "",
        errors: [
          .notSupported("propagationPolicy", .string(policy), ["Foreground", "Background", "Orphan", "nil"])
        ])
    }
    return options
  }

  func delete(name: String) async throws(APIError) -> HTTPResponse {
    let options = try deleteOptions()
    for _ in 0..<5 {
      let (old, revision) = try await current(name: name)
      do {
        return try await delete(old, revision: revision, options: options)
      } catch let error where error.reason == "Conflict" && error.message.contains("has been modified") {
        continue
      }
    }
    throw APIError.conflict(definition, name: name)
  }

  /// Deletes one object: at once, or by marking it (deletionTimestamp) when finalizers,
  /// a foreground/orphan policy or a running pod's grace period must run first.
  func delete(_ old: JSONValue, revision: Int64, options: DeleteOptions) async throws(APIError) -> HTTPResponse {
    let name = old["metadata"]?["name"]?.stringValue ?? ""
    if let uid = options.preconditionUID, uid != old["metadata"]?["uid"]?.stringValue {
      throw APIError.conflict(
        definition, name: name,
        why:
          "Precondition failed: UID in precondition: \(uid), UID in object meta: \(old["metadata"]?["uid"]?.stringValue ?? "")"
      )
    }
    if let asked = options.preconditionResourceVersion, asked != String(revision) {
      throw APIError.conflict(
        definition, name: name,
        why:
          "Precondition failed: ResourceVersion in precondition: \(asked), ResourceVersion in object meta: \(revision)")
    }
    try await state.admitDelete(handler: self, object: old)
    var object = old
    var metadata = object["metadata"] ?? .object([:])
    var finalizers = metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    switch options.propagationPolicy {
    case "Foreground": if !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
    case "Orphan": if !finalizers.contains("orphan") { finalizers.append("orphan") }
    default: break
    }
    let grace = ObjectLifecycle.gracePeriod(old, definition: definition, asked: options.gracePeriodSeconds)
    let alreadyDeleting = metadata["deletionTimestamp"] != nil
    if !finalizers.isEmpty || !ObjectLifecycle.namespaceFinalizers(old, definition: definition).isEmpty || grace > 0 {
      if !alreadyDeleting {
        metadata["deletionTimestamp"] = .string(grace > 0 ? state.now(offsetSeconds: grace) : state.now())
        metadata["deletionGracePeriodSeconds"] = .int(grace)
      } else if grace > 0, let current = metadata["deletionGracePeriodSeconds"]?.intValue, grace < current {
        metadata["deletionGracePeriodSeconds"] = .int(grace)
        metadata["deletionTimestamp"] = .string(state.now(offsetSeconds: grace))
      }
      metadata["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers.map(JSONValue.string))
      metadata["generation"] = metadata["generation"].map { _ in .int((metadata["generation"]?.intValue ?? 0) + 1) }
      object["metadata"] = metadata
      if definition.kind == "Namespace" { object["status"] = .object(["phase": .string("Terminating")]) }
      if isDryRun { return respond(.ok, object: object) }
      let key = definition.storageKey(namespace: namespace, name: name)
      do {
        let written = try await state.objects.update(key: key, value: object.encoded(), revision: revision)
        CachedObject.stamp(&object, revision: written)
      } catch ObjectStore.Outcome.modified {
        throw APIError.conflict(definition, name: name)
      } catch {
        throw APIError.storage(error)
      }
      return respond(.ok, object: object)
    }
    if !isDryRun {
      do {
        _ = try await state.objects.delete(
          key: definition.storageKey(namespace: namespace, name: name), revision: revision)
      } catch ObjectStore.Outcome.modified {
        throw APIError.conflict(definition, name: name)
      } catch {
        throw APIError.storage(error)
      }
      state.serviceAllocator?.release(old)
    }
    if ["pods", "namespaces"].contains(definition.plural) || definition.group == "apiextensions.k8s.io" {
      return respond(.ok, object: old)
    }
    let status = JSONValue.object([
      "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]), "status": .string("Success"),
      "details": .object([
        "name": .string(name), "group": .string(definition.group), "kind": .string(definition.plural),
        "uid": old["metadata"]?["uid"] ?? .string(""),
      ]),
    ])
    return respond(.ok, status.encoded())
  }

  func deleteCollection() async throws(APIError) -> HTTPResponse {
    let options = try deleteOptions()
    let (labels, fields) = try selectors()
    try await freshCache()
    let snapshot = cache.snapshot(prefix: definition.storagePrefix(namespace: namespace))
    var deleted: [JSONValue] = []
    for item in snapshot.objects where item.matches(labels, fields) {
      do {
        _ = try await delete(item.object, revision: item.revision, options: options)
        deleted.append(item.object)
      } catch let error where error.code == 404 || error.reason == "Conflict" {
        continue
      }
    }
    var out = Array("{\"apiVersion\":\"\(definition.apiVersion)\",\"items\":[".utf8)
    for (index, item) in deleted.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out += item.encoded()
    }
    out += Array(
      "],\"kind\":\"\(definition.listKind)\",\"metadata\":{\"resourceVersion\":\"\(snapshot.revision)\"}}".utf8)
    return respond(.ok, out)
  }
}
