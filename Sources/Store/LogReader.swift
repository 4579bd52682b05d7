import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// Runs read transactions on a small thread pool, each thread borrowing an idle connection, so
/// blocking database calls never occupy Swift's cooperative threads.
final class LogReader: @unchecked Sendable {
  private let driver: SQLDriver
  /// The current keys, when kept in memory.
  private let index: KeyIndex?
  private let pool: NIOThreadPool
  private let lock = NIOLockedValueBox<[SQLConnection]>([])

  init(driver: SQLDriver, index: KeyIndex?, threads: Int) {
    self.driver = driver
    self.index = index
    self.pool = NIOThreadPool(numberOfThreads: threads)
    pool.start()
  }

  /// Runs `body` inside one read transaction: everything it reads is one snapshot.
  func read<T: Sendable>(_ body: @escaping @Sendable (LogSession) throws -> T) async throws -> T {
    try await pool.runIfActive { [self] in
      let connection = try lock.withLockedValue { $0.popLast() } ?? driver.connect()
      do {
        let result = try body(try begin(on: connection))
        try connection.execute("COMMIT")
        lock.withLockedValue { $0.append(connection) }
        return result
      } catch let error as StoreError where !error.isUnavailable {
        try? connection.execute("ROLLBACK")
        lock.withLockedValue { $0.append(connection) }
        throw error
      } catch {
        // The connection may be broken; drop it and let the next read open a fresh one.
        try? connection.execute("ROLLBACK")
        connection.close()
        throw (error as? StoreError) ?? StoreError.unavailable("\(error)")
      }
    }
  }

  /// Begins the read transaction and pairs it with the key tree of the revision it sees. A
  /// reader that stalled until that tree was no longer kept begins again.
  private func begin(on connection: SQLConnection) throws -> LogSession {
    for _ in 0..<100 {
      try connection.execute(driver.beginRead)
      let session = LogSession(connection: connection)
      guard let index else { return session }
      if let tree = index.tree(at: try session.revisions().current) {
        return LogSession(connection: connection, keys: CurrentKeys(tree: tree))
      }
      try connection.execute("COMMIT")
    }
    throw StoreError.unavailable("the key index kept no version for the database's revision")
  }

  func shutdown() async {
    try? await pool.shutdownGracefully()
    lock.withLockedValue { connections in
      connections.forEach { $0.close() }
      connections.removeAll()
    }
  }
}
