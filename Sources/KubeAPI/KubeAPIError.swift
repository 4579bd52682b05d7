/// The one error type of KubeAPI for everything except API `Status` answers (those are `StatusError`).
///
/// Messages mirror the Go libraries Kubernetes uses (encoding/json, labels, resource.Quantity,
/// json-patch) because kubectl users read them verbatim in `Status` messages.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Which part of the module refused the input.
  public enum Kind: String, Sendable, Equatable {
    /// Malformed JSON text (the message is Go's encoding/json syntax error).
    case json
    /// Malformed or unsupported YAML.
    case yaml
    /// A JSON value of the wrong shape for a typed decode (Codable bridge).
    case decoding
    /// A value that cannot be encoded (e.g. NaN).
    case encoding
    /// A label or field selector that does not parse.
    case selector
    /// A resource quantity that does not parse.
    case quantity
    /// A JSON Patch or merge patch that does not apply.
    case patch
    /// A timestamp that is not RFC 3339.
    case time
    /// An apiVersion or similar identifier that does not parse.
    case identifier
  }

  public var kind: Kind
  public var message: String
  /// Byte offset into the input where the problem was found, when known.
  public var offset: Int?

  public init(_ kind: Kind, _ message: String, offset: Int? = nil) {
    self.kind = kind
    self.message = message
    self.offset = offset
  }

  public var description: String { message }
}
