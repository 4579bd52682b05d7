/// A path to a field in an object, printed as upstream's field.Path: `spec.containers[0].image`,
/// `metadata.labels[app]`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringInterpolation {
  public private(set) var description: String

  /// A root path; `FieldPath("spec", "containers")` is `spec.containers`.
  public init(_ root: String, _ more: String...) {
    description = ([root] + more).joined(separator: ".")
  }

  public init(stringLiteral value: String) { description = value }

  /// The empty path (printed as `<nil>` in messages, as upstream prints a nil *Path).
  public static let none = FieldPath(raw: "<nil>")

  private init(raw: String) { description = raw }

  public func child(_ name: String, _ more: String...) -> FieldPath {
    let tail = ([name] + more).joined(separator: ".")
    return FieldPath(raw: base.isEmpty ? tail : base + "." + tail)
  }

  public func index(_ i: Int) -> FieldPath { FieldPath(raw: base + "[\(i)]") }
  public func key(_ key: String) -> FieldPath { FieldPath(raw: base + "[\(key)]") }

  private var base: String { description == "<nil>" ? "" : description }
}

/// One field-level validation failure, with upstream's type, message layout and `StatusCause` form.
public struct FieldError: Hashable, Sendable, CustomStringConvertible {
  /// Upstream's ErrorType: the cause `type` in Status details and the prefix of the message.
  public enum ErrorType: String, Sendable, Hashable {
    case notFound = "FieldValueNotFound"
    case required = "FieldValueRequired"
    case duplicate = "FieldValueDuplicate"
    case invalid = "FieldValueInvalid"
    case notSupported = "FieldValueNotSupported"
    case forbidden = "FieldValueForbidden"
    case tooLong = "FieldValueTooLong"
    case tooMany = "FieldValueTooMany"
    case tooShort = "FieldValueTooShort"
    case internalError = "InternalError"
    case typeInvalid = "FieldValueTypeInvalid"

    /// The human wording (`Required value`, `Invalid value`…).
    public var text: String {
      switch self {
      case .notFound: "Not found"
      case .required: "Required value"
      case .duplicate: "Duplicate value"
      case .invalid, .typeInvalid: "Invalid value"
      case .notSupported: "Unsupported value"
      case .forbidden: "Forbidden"
      case .tooLong: "Too long"
      case .tooMany: "Too many"
      case .tooShort: "Too short"
      case .internalError: "Internal error"
      }
    }
  }

  public var type: ErrorType
  public var field: String
  /// The offending value as JSON; nil when upstream omits it from the message.
  public var badValue: JSONValue?
  public var detail: String

  public init(type: ErrorType, field: FieldPath, badValue: JSONValue?, detail: String = "") {
    self.type = type
    self.field = field.description
    self.badValue = badValue
    self.detail = detail
  }

  /// The message without the field (`Invalid value: "X": must be …`), used as a cause message.
  public var body: String {
    var s: String
    switch type {
    case .required, .forbidden, .tooLong, .tooShort, .internalError:
      s = type.text
    default:
      switch badValue {
      case nil: s = type.text
      case .string(let v)?: s = "\(type.text): \(goQuote(v))"
      case let value?: s = "\(type.text): \((try? value.jsonString()) ?? "null")"
      }
    }
    if !detail.isEmpty { s += ": " + detail }
    return s
  }

  /// `field: body`, upstream's `Error()`.
  public var description: String { "\(field): \(body)" }

  // MARK: - Constructors with upstream wording

  public static func required(_ field: FieldPath, _ detail: String = "") -> FieldError {
    FieldError(type: .required, field: field, badValue: .string(""), detail: detail)
  }

  public static func invalid(_ field: FieldPath, _ value: JSONValue, _ detail: String) -> FieldError {
    FieldError(type: .invalid, field: field, badValue: value, detail: detail)
  }

  public static func notFound(_ field: FieldPath, _ value: JSONValue) -> FieldError {
    FieldError(type: .notFound, field: field, badValue: value)
  }

  public static func duplicate(_ field: FieldPath, _ value: JSONValue) -> FieldError {
    FieldError(type: .duplicate, field: field, badValue: value)
  }

  /// `Unsupported value: "x": supported values: "a", "b"`.
  public static func notSupported(_ field: FieldPath, _ value: JSONValue, _ validValues: [String]) -> FieldError {
    let detail = validValues.isEmpty ? "" : "supported values: " + validValues.map(goQuote).joined(separator: ", ")
    return FieldError(type: .notSupported, field: field, badValue: value, detail: detail)
  }

  public static func forbidden(_ field: FieldPath, _ detail: String) -> FieldError {
    FieldError(type: .forbidden, field: field, badValue: .string(""), detail: detail)
  }

  /// `Too long: may not be more than 253 bytes` (a negative limit gives `value is too long`).
  public static func tooLong(_ field: FieldPath, maxLength: Int) -> FieldError {
    let detail =
      maxLength >= 0 ? "may not be more than \(maxLength) \(maxLength == 1 ? "byte" : "bytes")" : "value is too long"
    return FieldError(type: .tooLong, field: field, badValue: .string("<value omitted>"), detail: detail)
  }

  /// `Too many: 5: must have at most 3 items`.
  public static func tooMany(_ field: FieldPath, actual: Int, max: Int) -> FieldError {
    let detail = max >= 0 ? "must have at most \(max) \(max == 1 ? "item" : "items")" : "has too many items"
    return FieldError(type: .tooMany, field: field, badValue: actual >= 0 ? .int(Int64(actual)) : nil, detail: detail)
  }

  public static func tooShort(_ field: FieldPath, _ value: String, minLength: Int) -> FieldError {
    let detail =
      minLength >= 0
      ? "must be at least \(minLength) \(minLength == 1 ? "character" : "characters")" : "value is too short"
    return FieldError(type: .tooShort, field: field, badValue: .string(value), detail: detail)
  }

  public static func typeInvalid(_ field: FieldPath, _ value: JSONValue, _ detail: String) -> FieldError {
    FieldError(type: .typeInvalid, field: field, badValue: value, detail: detail)
  }

  public static func internalError(_ field: FieldPath, _ message: String) -> FieldError {
    FieldError(type: .internalError, field: field, badValue: nil, detail: message)
  }
}

extension Array where Element == FieldError {
  /// Upstream's `ErrorList.ToAggregate().Error()`: duplicates dropped, one message bare,
  /// several as `[a, b]`; nil when empty.
  public var aggregateMessage: String? {
    var seen = Set<String>()
    var messages: [String] = []
    for error in self where seen.insert(error.description).inserted {
      messages.append(error.description)
    }
    switch messages.count {
    case 0: return nil
    case 1: return messages[0]
    default: return "[" + messages.joined(separator: ", ") + "]"
    }
  }
}
