import Foundation
import KubeAPI
import KubeProto
import NIOHTTP1
import Store

/// The one REST path every resource goes through: get, list, watch, create, update, patch,
/// delete and deletecollection, plus the status and scale subresources.
struct ResourceHandler: Sendable {
  let state: APIState
  let definition: ResourceDefinition
  let target: RequestTarget
  let request: HTTPRequest
  let user: UserInfo

  var namespace: String? { definition.namespaced ? target.namespace : nil }
  var cache: WatchCache { state.cache(for: definition) }
  var isDryRun: Bool { request.query["dryRun"]?.contains("All") == true }

  func handle() async throws(APIError) -> HTTPResponse {
    if definition.namespaced == false, target.namespace != nil {
      throw APIError.notFoundPath(request.path)
    }
    let verb = self.verb
    guard definition.verbs.contains(verb) || target.subresource != nil else {
      throw APIError.methodNotAllowed(verb, definition)
    }
    try await state.authorize(user: user, verb: verb, definition: definition, target: target)
    if let subresource = target.subresource {
      return try await handleSubresource(subresource)
    }
    switch (request.method, target.name) {
    case (.GET, nil): return isWatch ? try await watch() : try await list()
    case (.GET, let name?): return isWatch ? try await watch(name: name) : try await get(name: name)
    case (.POST, nil):
      return ResourceHandler.reviewKinds.contains(definition.kind) ? try await review() : try await create()
    case (.PUT, let name?): return try await update(name: name, subresource: nil)
    case (.PATCH, let name?): return try await patch(name: name, subresource: nil)
    case (.DELETE, let name?): return try await delete(name: name)
    case (.DELETE, nil): return try await deleteCollection()
    default: throw APIError.methodNotAllowed(verb, definition)
    }
  }

  var isWatch: Bool {
    target.legacyWatch || request.flag("watch")
  }

  /// The RBAC verb of this request.
  var verb: String {
    // Upstream authorizes exec/attach/portforward as create even for the WebSocket GET.
    if let subresource = target.subresource.flatMap({ ResourceDefinition.Subresource(rawValue: $0) }),
      Self.upgradeSubresources.contains(subresource), definition.plural == "pods"
    {
      return "create"
    }
    return switch request.method {
    case .GET: isWatch ? "watch" : (target.name == nil ? "list" : "get")
    case .POST: "create"
    case .PUT: "update"
    case .PATCH: "patch"
    case .DELETE: target.name == nil ? "deletecollection" : "delete"
    default: request.method.rawValue.lowercased()
    }
  }

  private func handleSubresource(_ subresource: String) async throws(APIError) -> HTTPResponse {
    guard let name = target.name,
      let kind = ResourceDefinition.Subresource(
        rawValue: subresource.split(separator: "/").first.map(String.init) ?? ""),
      definition.subresources.contains(kind)
    else { throw APIError.notFoundPath(request.path) }
    switch (kind, request.method) {
    case (.status, .GET): return try await get(name: name)
    case (.status, .PUT): return try await update(name: name, subresource: .status)
    case (.status, .PATCH): return try await patch(name: name, subresource: .status)
    case (.finalize, .PUT): return try await update(name: name, subresource: .finalize)
    case (.approval, .GET): return try await get(name: name)
    case (.approval, .PUT): return try await update(name: name, subresource: .approval)
    case (.approval, .PATCH): return try await patch(name: name, subresource: .approval)
    case (.scale, _): return try await scale(name: name)
    case (.binding, .POST): return try await bind(name: name)
    case (.eviction, .POST): return try await evict(name: name)
    case (.token, .POST): return try await tokenRequest(name: name)
    case (.log, .GET) where definition.plural == "pods": return try await podLog(name: name)
    case (.exec, .GET), (.exec, .POST), (.attach, .GET), (.attach, .POST), (.portforward, .GET),
      (.portforward, .POST):
      return try await podUpgrade(name: name, kind: kind)
    case (.proxy, _) where definition.plural == "nodes":
      return try await nodeProxy(name: name, subresource: subresource)
    default:
      throw APIError(
        code: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource (\(subresource))")
    }
  }

  // MARK: reading and writing bodies

  /// The request body as a JSON object; YAML is accepted as kubectl and curl users send it.
  func bodyObject() throws(APIError) -> JSONValue {
    let type =
      request.headers.first(name: "content-type")?.split(separator: ";").first.map {
        $0.trimmingCharacters(in: .whitespaces)
      } ?? "application/json"
    let value: JSONValue
    do {
      switch type {
      case "application/json", "*/*", "": value = try JSONValue.decode(request.body)
      case "application/yaml", "application/x-yaml", "text/yaml": value = try JSONValue.parseYAML(request.body)
      case KubeProtobuf.mediaType:
        do { value = try KubeProtobuf.decode(request.body).object } catch let error as KubeProtoError {
          if case .unknownKind = error { throw APIError.unsupportedMediaType(type) }
          throw APIError.badRequest("\(error)")
        }
      default: throw APIError.unsupportedMediaType(type)
      }
    } catch let error as APIError {
      throw error
    } catch {
      throw APIError.badRequest(
        "Object 'Kind' is missing in '\(String(decoding: request.body.prefix(200), as: UTF8.self))'")
    }
    guard case .object = value else {
      throw APIError.badRequest(
        "couldn't get version/kind; json parse error: json: cannot unmarshal \(value.typeName) into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }"
      )
    }
    return value
  }

  func respond(_ status: HTTPResponseStatus, _ bytes: [UInt8], warnings: [String] = []) -> HTTPResponse {
    var headers = HTTPHeaders()
    if onlyProtobuf, let value = try? JSONValue.decode(bytes), let encoded = try? KubeProtobuf.encode(value) {
      headers.add(name: "content-type", value: KubeProtobuf.mediaType)
      for warning in warnings { headers.add(name: "warning", value: BestPracticeWarnings.header(warning)) }
      return .full(status: status, headers: headers, body: encoded)
    }
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "cache-control", value: "no-cache, private")
    for warning in warnings { headers.add(name: "warning", value: BestPracticeWarnings.header(warning)) }
    return .full(status: status, headers: headers, body: bytes)
  }

  func respond(_ status: HTTPResponseStatus, object: JSONValue, warnings: [String] = []) -> HTTPResponse {
    var object = object
    if object["kind"]?.stringValue == definition.kind { object = definition.fromStorage(object) }
    if let table = wantsTable {
      return respond(
        status,
        TableWriter(definition: definition, includeObject: table).table(
          for: [object], revision: object["metadata"]?["resourceVersion"]?.stringValue ?? ""), warnings: warnings)
    }
    return respond(status, object.encoded(), warnings: warnings)
  }

  /// The client accepts protobuf and not JSON (kubectl and client-go always also accept JSON).
  var onlyProtobuf: Bool {
    guard let accept = request.headers.first(name: "accept"), accept.contains(KubeProtobuf.mediaType) else {
      return false
    }
    return !accept.contains("json") && !accept.contains("*/*")
  }

  /// The includeObject policy when the client asked for a Table (kubectl get), else nil.
  var wantsTable: TableWriter.IncludeObject? {
    guard let accept = request.headers.first(name: "accept"), accept.contains("as=Table") else { return nil }
    return TableWriter.IncludeObject(rawValue: request.parameter("includeObject") ?? "Metadata") ?? .metadata
  }
}

extension JSONValue {
  var typeName: String {
    switch self {
    case .null: "null"
    case .bool: "bool"
    case .int, .double: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }
}
