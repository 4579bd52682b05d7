import KubeAPI

/// Typed verbs over a transport. Objects are `JSONValue`s so that an update never drops a field
/// this client does not model.
public struct KubeClient: Sendable {
  public let transport: any KubeTransport

  public init(transport: any KubeTransport) {
    self.transport = transport
  }

  /// A page of a list: items, the list's resourceVersion and the continue token.
  public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    public var continueToken: String?
  }

  public enum PatchType: String, Sendable {
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case json = "application/json-patch+json"
    case apply = "application/apply-patch+yaml"
  }

  /// What a delete asks for (`DeleteOptions`).
  public struct DeleteOptions: Sendable {
    public enum Propagation: String, Sendable {
      case background = "Background", foreground = "Foreground",
        orphan = "Orphan"
    }
    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int64?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?

    public init(
      propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil,
      preconditionResourceVersion: String? = nil
    ) {
      self.propagationPolicy = propagationPolicy
      self.gracePeriodSeconds = gracePeriodSeconds
      self.preconditionUID = preconditionUID
      self.preconditionResourceVersion = preconditionResourceVersion
    }

    var json: JSONValue {
      var object: [String: JSONValue] = ["apiVersion": "v1", "kind": "DeleteOptions"]
      if let propagationPolicy { object["propagationPolicy"] = .string(propagationPolicy.rawValue) }
      if let gracePeriodSeconds { object["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
      var preconditions: [String: JSONValue] = [:]
      if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
      if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
      if !preconditions.isEmpty { object["preconditions"] = .object(preconditions) }
      return .object(object)
    }
  }

  public func get(
    _ type: ResourceType, namespace: String? = nil, name: String, subresource: String? = nil
  ) async throws -> JSONValue {
    try await call(
      KubeRequest(method: "GET", path: type.path(namespace: namespace, name: name, subresource: subresource)))
  }

  /// One page (or all, when `limit` is nil) of a collection.
  public func list(
    _ type: ResourceType, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
    limit: Int? = nil, continueToken: String? = nil, resourceVersion: String? = nil
  ) async throws -> ObjectList {
    var query: [(String, String)] = []
    if let labelSelector { query.append(("labelSelector", labelSelector)) }
    if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
    if let limit { query.append(("limit", String(limit))) }
    if let continueToken { query.append(("continue", continueToken)) }
    if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
    let list = try await call(KubeRequest(method: "GET", path: type.path(namespace: namespace), query: query))
    let token = list["metadata"]?["continue"]?.stringValue
    return ObjectList(
      items: list["items"]?.arrayValue ?? [],
      resourceVersion: list["metadata"]?["resourceVersion"]?.stringValue ?? "",
      continueToken: token?.isEmpty == false ? token : nil)
  }

  @discardableResult
  public func create(_ type: ResourceType, namespace: String? = nil, _ object: JSONValue) async throws -> JSONValue {
    let namespace = namespace ?? object.metadata.namespace
    return try await call(KubeRequest(method: "POST", path: type.path(namespace: namespace), body: object.serialized()))
  }

  /// PUT of the whole object (or of its status); fails with 409 when its resourceVersion is stale.
  @discardableResult
  public func update(_ type: ResourceType, _ object: JSONValue, subresource: String? = nil) async throws -> JSONValue {
    let path = type.path(namespace: object.metadata.namespace, name: object.metadata.name, subresource: subresource)
    return try await call(KubeRequest(method: "PUT", path: path, body: object.serialized()))
  }

  @discardableResult
  public func patch(
    _ type: ResourceType, namespace: String? = nil, name: String, _ patch: JSONValue, as patchType: PatchType = .merge,
    subresource: String? = nil, fieldManager: String? = nil, force: Bool = false
  ) async throws -> JSONValue {
    var query: [(String, String)] = []
    if let fieldManager { query.append(("fieldManager", fieldManager)) }
    if force { query.append(("force", "true")) }
    let path = type.path(namespace: namespace, name: name, subresource: subresource)
    return try await call(
      KubeRequest(method: "PATCH", path: path, query: query, body: patch.serialized(), contentType: patchType.rawValue))
  }

  /// Deletes the object; answers the object as it was, or as it is while finalizers hold it.
  @discardableResult
  public func delete(
    _ type: ResourceType, namespace: String? = nil, name: String, options: DeleteOptions = DeleteOptions()
  ) async throws -> JSONValue {
    try await call(
      KubeRequest(
        method: "DELETE", path: type.path(namespace: namespace, name: name), body: options.json.serialized()))
  }

  /// POST to a subresource: `pods/binding`, `pods/eviction`, `serviceaccounts/token`.
  @discardableResult
  public func create(
    _ type: ResourceType, namespace: String? = nil, name: String, subresource: String, _ body: JSONValue
  ) async throws -> JSONValue {
    let path = type.path(namespace: namespace, name: name, subresource: subresource)
    return try await call(KubeRequest(method: "POST", path: path, body: body.serialized()))
  }

  /// Sends a request and parses the answer, turning a `Status` failure into `KubeClientError.status`.
  public func call(_ request: KubeRequest) async throws -> JSONValue {
    let response: KubeResponse
    do {
      response = try await transport.send(request)
    } catch let error as KubeClientError {
      throw error
    } catch {
      throw KubeClientError.transport("\(error)")
    }
    return try Self.decode(status: response.status, body: response.body)
  }

  static func decode(status: Int, body: [UInt8]) throws -> JSONValue {
    let value = try? JSONValue.parse(body)
    guard (200..<300).contains(status) else {
      if let value, let error = StatusError(status: value) { throw KubeClientError.status(error) }
      throw KubeClientError.status(
        StatusError(code: status, reason: .unknown, message: String(decoding: body.prefix(512), as: UTF8.self)))
    }
    guard let value else {
      throw KubeClientError.invalidResponse("a \(status) answer that is not JSON (\(body.count) bytes)")
    }
    return value
  }
}
