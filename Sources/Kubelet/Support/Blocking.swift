import Dispatch

/// Runs blocking work (process spawns, mounts, directory walks) on Dispatch's pool instead of
/// Swift's cooperative threads: on a 2-core box those are two threads, and one pod's container
/// start would otherwise hold up every other pod's worker and every status report.
enum Blocking {
  @discardableResult
  static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
  }
}
