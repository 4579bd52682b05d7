import Glibc

/// The one error type of the Runtime module: a code callers can branch on and a message
/// that says what failed, on which object, and what to do about it.
public struct RuntimeError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Code: String, Sendable {
    case notFound, alreadyExists, invalidArgument, invalidImage, digestMismatch, unsupported
    case kernelFeatureMissing, permissionDenied, failedPrecondition, io, registry, internalError
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }

  static func io(_ what: String, errno number: Int32) -> RuntimeError {
    RuntimeError(.io, "\(what): \(String(cString: strerror(number)))")
  }
}
