import Foundation

/// Milliseconds since the Unix epoch. Injected where expiry is computed so tests can move time.
public protocol WallClock: Sendable {
  func nowMilliseconds() -> Int64
}

/// The real clock.
public struct SystemClock: WallClock {
  public init() {}
  public func nowMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
  }
}
