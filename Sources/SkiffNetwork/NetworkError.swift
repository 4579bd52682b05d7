/// The Network module's one error type: what failed while wiring pods, the overlay, the
/// service proxy or network policy, with a message an operator can act on.
public struct NetworkError: Error, Sendable, CustomStringConvertible, Equatable {
  public enum Code: Sendable, Equatable {
    /// A configuration value (CIDR, backend, interface name) is malformed or inconsistent.
    case invalidConfiguration
    /// The pod CIDR has no free address left.
    case addressesExhausted
    /// A kernel operation (netlink, nftables, sysctl, namespace) failed.
    case kernel
    /// A required host tool or kernel feature is missing.
    case unsupported
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
