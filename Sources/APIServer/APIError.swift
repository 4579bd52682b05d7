import KubeAPI
import NIOHTTP1

/// A refusal the API server answers with a Kubernetes `Status` object.
struct APIError: Error, Sendable {
  var code: Int
  var reason: String
  var message: String
  var details: JSONValue?

  var status: JSONValue {
    var object: [String: JSONValue] = [
      "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
      "status": .string("Failure"), "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
    ]
    if let details { object["details"] = details }
    return .object(object)
  }

  var response: HTTPResponse {
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "application/json")
    headers.add(name: "cache-control", value: "no-cache, private")
    return .full(status: HTTPResponseStatus(statusCode: code), headers: headers, body: status.encoded())
  }

  static func resourceDetails(_ resource: ResourceDefinition, name: String?, causes: [JSONValue] = []) -> JSONValue {
    var details: [String: JSONValue] = ["kind": .string(resource.plural)]
    if let name, !name.isEmpty { details["name"] = .string(name) }
    if !resource.group.isEmpty { details["group"] = .string(resource.group) }
    if !causes.isEmpty { details["causes"] = .array(causes) }
    return .object(details)
  }

  static func notFound(_ resource: ResourceDefinition, name: String) -> APIError {
    APIError(
      code: 404, reason: "NotFound", message: "\(resource.qualifiedPlural) \"\(name)\" not found",
      details: resourceDetails(resource, name: name))
  }

  static func alreadyExists(_ resource: ResourceDefinition, name: String) -> APIError {
    APIError(
      code: 409, reason: "AlreadyExists", message: "\(resource.qualifiedPlural) \"\(name)\" already exists",
      details: resourceDetails(resource, name: name))
  }

  static func conflict(_ resource: ResourceDefinition, name: String) -> APIError {
    APIError(
      code: 409, reason: "Conflict",
      message:
        "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
      details: resourceDetails(resource, name: name))
  }

  static func conflict(_ resource: ResourceDefinition, name: String, why: String) -> APIError {
    APIError(
      code: 409, reason: "Conflict",
      message: "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": \(why)",
      details: resourceDetails(resource, name: name))
  }

  /// 422 with one cause per field error, worded as upstream: `Kind "name" is invalid: [a, b]`.
  static func invalid(_ resource: ResourceDefinition, name: String, errors: [FieldError]) -> APIError {
    let list = errors.aggregateMessage ?? ""
    let group = resource.group.isEmpty ? "" : ".\(resource.group)"
    return APIError(
      code: 422, reason: "Invalid", message: "\(resource.kind)\(group) \"\(name)\" is invalid: \(list)",
      details: {
        var details = resourceDetails(resource, name: name, causes: errors.map(\.cause))
        details["kind"] = .string(resource.kind)
        return details
      }())
  }

  static func badRequest(_ message: String) -> APIError { APIError(code: 400, reason: "BadRequest", message: message) }

  static func methodNotAllowed(_ verb: String, _ resource: ResourceDefinition) -> APIError {
    APIError(
      code: 405, reason: "MethodNotAllowed",
      message: "\(verb) is not supported on resources of kind \"\(resource.qualifiedPlural)\"",
      details: resourceDetails(resource, name: nil))
  }

  static func notFoundPath(_ path: String) -> APIError {
    APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
  }

  static func gone(_ message: String) -> APIError { APIError(code: 410, reason: "Expired", message: message) }

  static func unsupportedMediaType(_ type: String) -> APIError {
    APIError(
      code: 415, reason: "UnsupportedMediaType",
      message:
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/apply-patch+yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got \(type))"
    )
  }

  static func requestEntityTooLarge(limit: Int) -> APIError {
    APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
  }

  static func unauthorized() -> APIError { APIError(code: 401, reason: "Unauthorized", message: "Unauthorized") }

  static func forbidden(_ message: String, resource: ResourceDefinition?, name: String?) -> APIError {
    APIError(
      code: 403, reason: "Forbidden", message: message, details: resource.map { resourceDetails($0, name: name) })
  }

  static func internalError(_ message: String) -> APIError {
    APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
  }

  static func unavailable(_ message: String) -> APIError {
    APIError(code: 503, reason: "ServiceUnavailable", message: message)
  }

  static func timeout(_ message: String) -> APIError { APIError(code: 504, reason: "Timeout", message: message) }
}

extension FieldError {
  /// The `StatusCause` a 422 carries for this error.
  var cause: JSONValue {
    .object(["reason": .string(type.rawValue), "message": .string(body), "field": .string(field)])
  }
}
