/// The Addons module's one error type (cluster DNS and the other in-process add-ons), with a
/// message an operator can act on.
public struct AddonsError: Error, Sendable, CustomStringConvertible, Equatable {
  public enum Code: Sendable, Equatable {
    /// A configuration value (address, domain, upstream) is malformed.
    case invalidConfiguration
    /// A wire message could not be decoded or encoded.
    case malformedMessage
    /// A socket, interface or upstream operation failed.
    case io
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
