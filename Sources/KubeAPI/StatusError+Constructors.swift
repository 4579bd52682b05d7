/// Constructors with upstream's exact codes, reasons and messages (k8s.io/apimachinery/pkg/api/errors
/// and the apiserver's negotiation and authorization responses).
extension StatusError {
  /// 404 `pods "x" not found`, `deployments.apps "x" not found`.
  public static func notFound(_ resource: GroupResource, name: String) -> StatusError {
    StatusError(
      code: 404, reason: .notFound, message: "\(resource) \(goQuote(name)) not found",
      details: Details(name: name, group: resource.group, kind: resource.resource))
  }

  /// 409 `pods "x" already exists`.
  public static func alreadyExists(_ resource: GroupResource, name: String) -> StatusError {
    StatusError(
      code: 409, reason: .alreadyExists, message: "\(resource) \(goQuote(name)) already exists",
      details: Details(name: name, group: resource.group, kind: resource.resource))
  }

  /// 409 when a generated name collided; the client may retry.
  public static func generateNameConflict(_ resource: GroupResource, name: String, retryAfterSeconds: Int32 = 1)
    -> StatusError
  {
    StatusError(
      code: 409, reason: .alreadyExists,
      message:
        "\(resource) \(goQuote(name)) already exists, the server was not able to generate a unique name for the object",
      details: Details(name: name, group: resource.group, kind: resource.resource, retryAfterSeconds: retryAfterSeconds)
    )
  }

  /// The optimistic-concurrency failure text upstream's storage layer uses.
  public static let objectModifiedMessage =
    "the object has been modified; please apply your changes to the latest version and try again"

  /// 409 `Operation cannot be fulfilled on pods "x": <why>`.
  public static func conflict(_ resource: GroupResource, name: String, why: String = objectModifiedMessage)
    -> StatusError
  {
    StatusError(
      code: 409, reason: .conflict, message: "Operation cannot be fulfilled on \(resource) \(goQuote(name)): \(why)",
      details: Details(name: name, group: resource.group, kind: resource.resource))
  }

  /// 409 for server-side apply field conflicts, with one cause per conflicting field.
  public static func applyConflict(causes: [Cause], message: String) -> StatusError {
    StatusError(code: 409, reason: .conflict, message: message, details: Details(causes: causes))
  }

  /// 422 `Pod "x" is invalid: spec.containers[0].name: Required value` (several errors in `[…]`).
  public static func invalid(_ kind: GroupKind, name: String, errors: [FieldError]) -> StatusError {
    let causes = errors.map { Cause(reason: $0.type.rawValue, message: $0.body, field: $0.field) }
    var message = "\(kind) \(goQuote(name)) is invalid"
    if let aggregate = errors.aggregateMessage { message += ": " + aggregate }
    return StatusError(
      code: 422, reason: .invalid, message: message,
      details: Details(name: name, group: kind.group, kind: kind.kind, causes: causes))
  }

  /// 400 with the given message.
  public static func badRequest(_ message: String) -> StatusError {
    StatusError(code: 400, reason: .badRequest, message: message)
  }

  /// 401; upstream's default message is `not authorized` (the apiserver's filter says `Unauthorized`).
  public static func unauthorized(_ message: String = "") -> StatusError {
    StatusError(code: 401, reason: .unauthorized, message: message.isEmpty ? "not authorized" : message)
  }

  /// 403 `pods "x" is forbidden: <why>` (`pods is forbidden: …` without a name, `forbidden: …` without a resource).
  public static func forbidden(_ resource: GroupResource, name: String = "", why: String) -> StatusError {
    let message: String
    if resource.isEmpty {
      message = "forbidden: \(why)"
    } else if name.isEmpty {
      message = "\(resource) is forbidden: \(why)"
    } else {
      message = "\(resource) \(goQuote(name)) is forbidden: \(why)"
    }
    return StatusError(
      code: 403, reason: .forbidden, message: message,
      details: Details(name: name, group: resource.group, kind: resource.resource))
  }

  /// 403 as the apiserver answers a request the authorizer denied:
  /// `pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"`.
  /// A nil `resource` means a non-resource request to `path`.
  public static func forbidden(
    user: String, verb: String, resource: String?, subresource: String = "", group: String = "",
    namespace: String = "", name: String = "", path: String = "", reason: String = ""
  ) -> StatusError {
    var why: String
    if let resource {
      let shown = subresource.isEmpty ? resource : "\(resource)/\(subresource)"
      why = "User \(goQuote(user)) cannot \(verb) resource \(goQuote(shown)) in API group \(goQuote(group))"
      why += namespace.isEmpty ? " at the cluster scope" : " in the namespace \(goQuote(namespace))"
    } else {
      why = "User \(goQuote(user)) cannot \(verb) path \(goQuote(path))"
    }
    if !reason.isEmpty { why += ": " + reason }
    return forbidden(GroupResource(group: group, resource: resource ?? ""), name: name, why: why)
  }

  /// 405 `create is not supported on resources of kind "nodes/proxy"`-style message.
  public static func methodNotSupported(_ resource: GroupResource, action: String) -> StatusError {
    StatusError(
      code: 405, reason: .methodNotAllowed,
      message: "\(action) is not supported on resources of kind \(goQuote(resource.description))",
      details: Details(group: resource.group, kind: resource.resource))
  }

  /// 410 reason Gone (deprecated upstream in favour of `resourceExpired`).
  public static func gone(_ message: String) -> StatusError {
    StatusError(code: 410, reason: .gone, message: message)
  }

  /// 410 reason Expired: the requested revision was compacted away.
  public static func resourceExpired(_ message: String) -> StatusError {
    StatusError(code: 410, reason: .expired, message: message)
  }

  /// 410 Expired with the watch cache's text: `too old resource version: 5 (10)`.
  public static func tooOldResourceVersion(_ requested: Int64, oldest: Int64) -> StatusError {
    resourceExpired("too old resource version: \(requested) (\(oldest))")
  }

  /// 413 `Request entity too large: <message>`.
  public static func requestEntityTooLarge(_ message: String) -> StatusError {
    StatusError(code: 413, reason: .requestEntityTooLarge, message: "Request entity too large: \(message)")
  }

  /// 415 for a request body in a format the server does not decode.
  public static func unsupportedMediaType(accepted: [String]) -> StatusError {
    StatusError(
      code: 415, reason: .unsupportedMediaType,
      message:
        "the body of the request was in an unknown format - accepted media types include: "
        + accepted.joined(separator: ", "))
  }

  /// 406 when no offered response type is acceptable to the client.
  public static func notAcceptable(accepted: [String]) -> StatusError {
    StatusError(
      code: 406, reason: .notAcceptable,
      message: "only the following media types are accepted: " + accepted.joined(separator: ", "))
  }

  /// 500 `Internal error occurred: <message>`.
  public static func internalError(_ message: String) -> StatusError {
    StatusError(
      code: 500, reason: .internalError, message: "Internal error occurred: \(message)",
      details: Details(causes: [Cause(message: message)]))
  }

  /// 503 with the given message.
  public static func serviceUnavailable(_ message: String) -> StatusError {
    StatusError(code: 503, reason: .serviceUnavailable, message: message)
  }

  /// 504 `Timeout: <message>`.
  public static func timeout(_ message: String, retryAfterSeconds: Int32 = 0) -> StatusError {
    StatusError(
      code: 504, reason: .timeout, message: "Timeout: \(message)",
      details: Details(retryAfterSeconds: retryAfterSeconds))
  }

  /// 500 ServerTimeout: `The get operation against pods could not be completed at this time, please try again.`
  public static func serverTimeout(_ resource: GroupResource, operation: String, retryAfterSeconds: Int32)
    -> StatusError
  {
    StatusError(
      code: 500, reason: .serverTimeout,
      message: "The \(operation) operation against \(resource) could not be completed at this time, please try again.",
      details: Details(
        name: operation, group: resource.group, kind: resource.resource, retryAfterSeconds: retryAfterSeconds))
  }

  /// 429 with the given message and a retry hint.
  public static func tooManyRequests(_ message: String, retryAfterSeconds: Int32) -> StatusError {
    StatusError(
      code: 429, reason: .tooManyRequests, message: message, details: Details(retryAfterSeconds: retryAfterSeconds))
  }

  /// Upstream's generic response for a bare HTTP code, e.g. 422 for a JSON patch that does not apply:
  /// `the server rejected our request due to an error in our request`.
  public static func genericServerResponse(code: Int, serverMessage: String = "") -> StatusError {
    let (reason, message): (Reason, String)
    switch code {
    case 400: (reason, message) = (.badRequest, "the server rejected our request for an unknown reason")
    case 401: (reason, message) = (.unauthorized, "the server has asked for the client to provide credentials")
    case 403: (reason, message) = (.forbidden, serverMessage)
    case 404: (reason, message) = (.notFound, "the server could not find the requested resource")
    case 405: (reason, message) = (.methodNotAllowed, "the server does not allow this method on the requested resource")
    case 409: (reason, message) = (.conflict, "the server reported a conflict")
    case 415: (reason, message) = (.unsupportedMediaType, serverMessage)
    case 422: (reason, message) = (.invalid, "the server rejected our request due to an error in our request")
    case 429:
      (reason, message) = (
        .tooManyRequests, "the server has received too many requests and has asked us to try again later"
      )
    case 503: (reason, message) = (.serviceUnavailable, "the server is currently unable to handle the request")
    case 504:
      (reason, message) = (
        .timeout,
        "the server was unable to return a response in the time allotted, but may still be processing the request"
      )
    case 500...:
      (reason, message) = (
        .internalError, "an error on the server (\(goQuote(serverMessage))) has prevented the request from succeeding"
      )
    default:
      (reason, message) = (
        .unknown, "the server responded with the status code \(code) but did not return more information"
      )
    }
    return StatusError(code: code, reason: reason, message: message, details: Details())
  }
}
