import KubeAPI

/// Why a client call failed: the server answered with a `Status`, or the request never got an
/// answer it could read.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
  case status(StatusError)
  case transport(String)
  case invalidResponse(String)

  public var statusCode: Int? {
    if case .status(let status) = self { return status.code }
    return nil
  }

  public var isNotFound: Bool { statusCode == 404 }
  public var isConflict: Bool { statusCode == 409 && !isAlreadyExists }
  public var isAlreadyExists: Bool {
    if case .status(let status) = self { return status.reason == .alreadyExists }
    return false
  }
  /// 410 Gone: a watch or list asked for a revision that was compacted away.
  public var isGone: Bool { statusCode == 410 }
  public var isTooManyRequests: Bool { statusCode == 429 }

  public var description: String {
    switch self {
    case .status(let status): return status.message
    case .transport(let message): return "transport: \(message)"
    case .invalidResponse(let message): return "invalid response: \(message)"
    }
  }
}

extension Error {
  /// True when the error is the API's 404 for the object.
  public var isNotFound: Bool { (self as? KubeClientError)?.isNotFound ?? false }
  public var isConflict: Bool { (self as? KubeClientError)?.isConflict ?? false }
  public var isAlreadyExists: Bool { (self as? KubeClientError)?.isAlreadyExists ?? false }
}
