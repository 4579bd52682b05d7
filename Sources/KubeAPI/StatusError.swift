/// A failed API request as Kubernetes reports it: a `Status` object with an HTTP code, a
/// machine-readable reason and a message kubectl prints verbatim.
///
/// Constructors (in `StatusError+Constructors.swift`) reproduce upstream's k8s.io/apimachinery
/// errors package word for word.
public struct StatusError: Error, Hashable, Sendable, CustomStringConvertible {
  /// `Status.reason` values defined upstream.
  public struct Reason: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public static let unknown: Reason = ""
    public static let unauthorized: Reason = "Unauthorized"
    public static let forbidden: Reason = "Forbidden"
    public static let notFound: Reason = "NotFound"
    public static let alreadyExists: Reason = "AlreadyExists"
    public static let conflict: Reason = "Conflict"
    public static let gone: Reason = "Gone"
    public static let invalid: Reason = "Invalid"
    public static let serverTimeout: Reason = "ServerTimeout"
    public static let storeReadError: Reason = "StorageReadError"
    public static let timeout: Reason = "Timeout"
    public static let tooManyRequests: Reason = "TooManyRequests"
    public static let badRequest: Reason = "BadRequest"
    public static let methodNotAllowed: Reason = "MethodNotAllowed"
    public static let notAcceptable: Reason = "NotAcceptable"
    public static let requestEntityTooLarge: Reason = "RequestEntityTooLarge"
    public static let unsupportedMediaType: Reason = "UnsupportedMediaType"
    public static let internalError: Reason = "InternalError"
    public static let expired: Reason = "Expired"
    public static let serviceUnavailable: Reason = "ServiceUnavailable"
  }

  /// One `details.causes[]` entry.
  public struct Cause: Hashable, Sendable {
    /// The cause type (`FieldValueInvalid`…); empty when upstream leaves it out.
    public var reason: String
    public var message: String
    public var field: String

    public init(reason: String = "", message: String, field: String = "") {
      self.reason = reason
      self.message = message
      self.field = field
    }
  }

  /// `Status.details`: which object the failure is about.
  public struct Details: Hashable, Sendable {
    public var name: String
    public var group: String
    /// The kind, or for resource-based errors the resource name, as upstream fills it.
    public var kind: String
    public var uid: String
    public var causes: [Cause]
    public var retryAfterSeconds: Int32

    public init(
      name: String = "", group: String = "", kind: String = "", uid: String = "", causes: [Cause] = [],
      retryAfterSeconds: Int32 = 0
    ) {
      self.name = name
      self.group = group
      self.kind = kind
      self.uid = uid
      self.causes = causes
      self.retryAfterSeconds = retryAfterSeconds
    }
  }

  /// HTTP status code.
  public var code: Int
  public var reason: Reason
  public var message: String
  public var details: Details?

  public init(code: Int, reason: Reason, message: String, details: Details? = nil) {
    self.code = code
    self.reason = reason
    self.message = message
    self.details = details
  }

  public var description: String { message }

  /// Seconds the client should wait before retrying, if the server suggested it.
  public var retryAfterSeconds: Int32? {
    guard let seconds = details?.retryAfterSeconds, seconds > 0 else { return nil }
    return seconds
  }

  /// The `Status` object as kube-apiserver writes it (empty fields omitted).
  public var status: JSONValue {
    var object: [String: JSONValue] = [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "code": .int(Int64(code)),
    ]
    if !message.isEmpty { object["message"] = .string(message) }
    if !reason.rawValue.isEmpty { object["reason"] = .string(reason.rawValue) }
    if let details { object["details"] = details.json }
    return .object(object)
  }

  /// Reads a `Status` object (e.g. from a client response); nil if it is not one.
  public init?(status: JSONValue) {
    guard status["kind"]?.stringValue == "Status" else { return nil }
    self.init(
      code: Int(status["code"]?.intValue ?? 0), reason: Reason(rawValue: status["reason"]?.stringValue ?? ""),
      message: status["message"]?.stringValue ?? "", details: status["details"].flatMap(Details.init(json:)))
  }
}

extension StatusError.Details {
  var json: JSONValue {
    var object: [String: JSONValue] = [:]
    if !name.isEmpty { object["name"] = .string(name) }
    if !group.isEmpty { object["group"] = .string(group) }
    if !kind.isEmpty { object["kind"] = .string(kind) }
    if !uid.isEmpty { object["uid"] = .string(uid) }
    if !causes.isEmpty {
      object["causes"] = .array(
        causes.map { cause in
          var c: [String: JSONValue] = [:]
          if !cause.reason.isEmpty { c["reason"] = .string(cause.reason) }
          if !cause.message.isEmpty { c["message"] = .string(cause.message) }
          if !cause.field.isEmpty { c["field"] = .string(cause.field) }
          return .object(c)
        })
    }
    if retryAfterSeconds != 0 { object["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
    return .object(object)
  }

  init?(json: JSONValue) {
    guard case .object(let d) = json else { return nil }
    self.init(
      name: d["name"]?.stringValue ?? "", group: d["group"]?.stringValue ?? "", kind: d["kind"]?.stringValue ?? "",
      uid: d["uid"]?.stringValue ?? "",
      causes: (d["causes"]?.arrayValue ?? []).map {
        StatusError.Cause(
          reason: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
          field: $0["field"]?.stringValue ?? "")
      },
      retryAfterSeconds: Int32(clamping: d["retryAfterSeconds"]?.intValue ?? 0))
  }
}

extension StatusError {
  /// The `Status` a successful delete (or other non-object answer) returns:
  /// `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","details":{…}}`.
  public static func successStatus(details: Details? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success"]
    if let details { object["details"] = details.json }
    return .object(object)
  }
}
