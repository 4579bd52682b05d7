import Dispatch

/// Runs kernel work on Dispatch's pool, never on Swift's cooperative threads (two of them on
/// a 2-core box, which pod workers and the API client need).
enum OffPool {
  static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
  }
}
