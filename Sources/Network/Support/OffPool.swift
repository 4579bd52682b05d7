import Dispatch

/// Runs kernel work on Dispatch's pool, never on Swift's cooperative threads (two of them on
/// a 2-core box, which pod workers and the API client need).
enum OffPool {
  static func run<T: Sendable>(_ body: @escaping @Sendable () throws(NetworkError) -> T) async throws(NetworkError)
    -> T
  {
    let result: Result<T, NetworkError> = await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(returning: Result { () throws(NetworkError) in try body() })
      }
    }
    return try result.get()
  }
}
