/// The Kubelet module's one error type: a code the kubelet API maps to an HTTP status, and a
/// message a user can act on.
public struct KubeletError: Error, Sendable, CustomStringConvertible {
  public enum Code: Sendable, Equatable {
    case notFound, invalidArgument, unauthorized, forbidden, failedPrecondition, joinRefused, io
    /// The server could not be reached or answered 5xx: worth retrying.
    case unavailable
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
