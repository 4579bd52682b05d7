import Foundation

/// Runs blocking work (process spawns and waits, mounts, unpacking, directory walks) on a thread
/// of its own. Neither Swift's cooperative threads nor `DispatchQueue.global()` will do: on
/// Linux both are the same Dispatch root queue, a few threads wide on a 2-core box, so a handful
/// of blocked calls stall every task in the process — including the ones they wait for.
public enum Blocking {
  @discardableResult
  public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      let thread = Thread(named: "skiff-blocking") { continuation.resume(with: Result { try body() }) }
      thread.start()
    }
  }

}
