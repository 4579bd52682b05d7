import KubeAPI
import NIOHTTP1

extension ResourceHandler {
  /// `autoscaling/v1` Scale view of spec.replicas: what `kubectl scale` reads and writes.
  func scale(name: String) async throws(APIError) -> HTTPResponse {
    for _ in 0..<5 {
      let (object, revision) = try await current(name: name)
      let scale = scaleView(object)
      switch request.method {
      case .GET: return respond(.ok, object: scale)
      case .PUT, .PATCH:
        var wanted: JSONValue
        if request.method == .PUT {
          wanted = try bodyObject()
          if let asked = wanted["metadata"]?["resourceVersion"]?.stringValue, !asked.isEmpty, asked != String(revision)
          {
            throw APIError.conflict(definition, name: name)
          }
        } else {
          let type = request.headers.first(name: "content-type")?.split(separator: ";").first.map(String.init) ?? ""
          let patch = try PatchRequest(contentType: type, body: request.body, definition: definition, state: state)
          wanted = try patch.apply(to: scale, fieldManager: nil, force: false)
        }
        guard let replicas = wanted["spec"]?["replicas"]?.intValue, replicas >= 0 else {
          throw APIError.invalid(
            definition, name: name,
            errors: [
              .invalid("spec.replicas", wanted["spec"]?["replicas"] ?? .null, "must be greater than or equal to 0")
            ])
        }
        var updated = object
        updated["spec"]?["replicas"] = .int(replicas)
        do {
          _ = try await store(updated, old: object, revision: revision, subresource: nil)
        } catch let error where error.reason == "Conflict" {
          continue
        }
        let (stored, _) = try await current(name: name)
        return respond(.ok, object: scaleView(stored))
      default: throw APIError.methodNotAllowed(verb, definition)
      }
    }
    throw APIError.conflict(definition, name: name)
  }

  private func scaleView(_ object: JSONValue) -> JSONValue {
    let metadata = object["metadata"] ?? .object([:])
    let selector = object["spec"]?["selector"]
    return .object([
      "kind": .string("Scale"), "apiVersion": .string("autoscaling/v1"),
      "metadata": .object([
        "name": metadata["name"] ?? .null, "namespace": metadata["namespace"] ?? .null, "uid": metadata["uid"] ?? .null,
        "resourceVersion": metadata["resourceVersion"] ?? .null,
        "creationTimestamp": metadata["creationTimestamp"] ?? .null,
      ]),
      "spec": .object(["replicas": .int(object["spec"]?["replicas"]?.intValue ?? 1)]),
      "status": .object([
        "replicas": .int(object["status"]?["replicas"]?.intValue ?? 0),
        "selector": .string(Tables.selector(selector).replacingOccurrences(of: "<none>", with: "")),
      ]),
    ])
  }

  /// pods/binding: the scheduler's one write to a pod spec, accepted once.
  func bind(name: String) async throws(APIError) -> HTTPResponse {
    let binding = try bodyObject()
    guard let node = binding["target"]?["name"]?.stringValue, !node.isEmpty else {
      throw APIError.invalid(definition, name: name, errors: [.required("target.name", "")])
    }
    let (pod, revision) = try await current(name: name)
    if let uid = binding["metadata"]?["uid"]?.stringValue, uid != pod["metadata"]?["uid"]?.stringValue {
      throw APIError.conflict(definition, name: name, why: "the UID in the binding does not match the pod")
    }
    if let existing = pod["spec"]?["nodeName"]?.stringValue, !existing.isEmpty {
      throw APIError.conflict(definition, name: name, why: "pod \(name) is already assigned to node \"\(existing)\"")
    }
    if pod["metadata"]?["deletionTimestamp"] != nil {
      throw APIError.conflict(definition, name: name, why: "pod \(name) is being deleted, cannot be assigned to a host")
    }
    var bound = pod
    bound["spec"]?["nodeName"] = .string(node)
    var status = bound["status"] ?? .object([:])
    var conditions = (status["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "PodScheduled" }
    conditions.append(
      .object([
        "type": .string("PodScheduled"), "status": .string("True"), "lastProbeTime": .null,
        "lastTransitionTime": .string(state.now()),
      ]))
    status["conditions"] = .array(conditions)
    bound["status"] = status
    do {
      _ = try await state.objects.update(
        key: definition.storageKey(namespace: namespace, name: name), value: bound.encoded(), revision: revision)
    } catch {
      throw APIError.conflict(definition, name: name)
    }
    return respond(.created, APIState.success.encoded())
  }

  /// pods/eviction: a delete that disruption budgets may refuse (429 while they do).
  func evict(name: String) async throws(APIError) -> HTTPResponse {
    let eviction = try bodyObject()
    let (pod, revision) = try await current(name: name)
    try await state.chargeDisruptionBudgets(for: pod)
    var options = DeleteOptions()
    options.gracePeriodSeconds = eviction["deleteOptions"]?["gracePeriodSeconds"]?.intValue
    _ = try await delete(pod, revision: revision, options: options)
    return respond(.created, APIState.success.encoded())
  }
}
