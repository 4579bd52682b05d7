import Foundation
import Store
import Testing

/// The stored schema version: written on open, an older one migrated, kept across reopens, and a
/// newer one refused with a message naming both versions — before anything is written.
@Suite struct SchemaVersionTests {
  static let backends: [Backend] = [.sqlite] + (Backend.postgresDSN == nil ? [] : [.postgres])

  @Test(arguments: backends) func recordsTheVersionAndRefusesANewerOne(_ backend: Backend) async throws {
    try await backend.withDatabase { driver in
      let log = try await RevisionLog.open(driver: driver)
      _ = try await log.put(PutRequest(key: Array("/registry/a".utf8), value: Array("1".utf8)))
      await log.close()
      #expect(try await storedVersion(driver) == 2)

      // A version-1 database, with the log's key index, is migrated forward and keeps its data.
      try await execute(
        driver, "CREATE INDEX skiff_log_key ON skiff_log (key, rev)",
        "UPDATE skiff_meta SET value = 1 WHERE name = 'schema'")
      let migrated = try await RevisionLog.open(driver: driver)
      await migrated.close()
      #expect(try await storedVersion(driver) == 2)
      // The index is gone: creating it again succeeds.
      try await execute(driver, "CREATE INDEX skiff_log_key ON skiff_log (key, rev)", "DROP INDEX skiff_log_key")

      // Reopening at the same version keeps the data.
      let reopened = try await RevisionLog.open(driver: driver)
      #expect(try await reopened.range(RangeRequest(range: .key(Array("/registry/a".utf8)))).kvs.count == 1)
      await reopened.close()

      // A database from a future skiff: refused, data untouched.
      try await execute(driver, "UPDATE skiff_meta SET value = 7 WHERE name = 'schema'")
      await #expect {
        _ = try await RevisionLog.open(driver: driver)
      } throws: { error in
        let text = "\(error)"
        return text.contains("schema version 7") && text.contains("up to version 2")
          && text.contains("Downgrading is refused")
      }
      #expect(try await storedVersion(driver) == 7)
    }
  }

  private func execute(_ driver: any SQLDriver, _ statements: String...) async throws {
    try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      for statement in statements { try connection.execute(statement) }
    }
  }

  private func storedVersion(_ driver: any SQLDriver) async throws -> Int64? {
    try await blocking {
      let connection = try driver.connect()
      defer { connection.close() }
      guard
        case .int(let version)? = try connection.query("SELECT value FROM skiff_meta WHERE name = 'schema'", []).first?[
          0]
      else { return nil }
      return version
    }
  }
}
