import Testing

// The same contract, once per driver. Add a case to `Contract` and to both lists.

@Suite("Store contract: SQLite")
struct SQLiteContractTests {
  @Test func revisionsAreGapFree() async throws { try await Contract.revisionsAreGapFree(.sqlite) }
  @Test func refusedRequestsWriteNothing() async throws { try await Contract.refusedRequestsWriteNothing(.sqlite) }
  @Test func readsSeeOneRevision() async throws { try await Contract.readsSeeOneRevision(.sqlite) }
  @Test func readsAtPastRevisions() async throws { try await Contract.readsAtPastRevisions(.sqlite) }
  @Test func rangeOptions() async throws { try await Contract.rangeOptions(.sqlite) }
  @Test func createModVersionBookkeeping() async throws { try await Contract.createModVersionBookkeeping(.sqlite) }
  @Test func transactionCompares() async throws { try await Contract.transactionCompares(.sqlite) }
  @Test func putOptions() async throws { try await Contract.putOptions(.sqlite) }
  @Test func deleteRanges() async throws { try await Contract.deleteRanges(.sqlite) }
  @Test func watchFromThePast() async throws { try await Contract.watchFromThePast(.sqlite) }
  @Test func bulkDelete() async throws { try await Contract.bulkDelete(.sqlite) }
  @Test func watchBelowCompaction() async throws { try await Contract.watchBelowCompaction(.sqlite) }
  @Test func compaction() async throws { try await Contract.compaction(.sqlite) }
  @Test func compactionOfARangeDelete() async throws { try await Contract.compactionOfARangeDelete(.sqlite) }
  @Test func leases() async throws { try await Contract.leases(.sqlite) }
  @Test func leaseExpiry() async throws { try await Contract.leaseExpiry(.sqlite) }
}

@Suite("Store contract: PostgreSQL", .enabled(if: Backend.postgresDSN != nil, Backend.postgresSkipMessage))
struct PostgresContractTests {
  @Test func revisionsAreGapFree() async throws { try await Contract.revisionsAreGapFree(.postgres) }
  @Test func refusedRequestsWriteNothing() async throws { try await Contract.refusedRequestsWriteNothing(.postgres) }
  @Test func readsSeeOneRevision() async throws { try await Contract.readsSeeOneRevision(.postgres) }
  @Test func readsAtPastRevisions() async throws { try await Contract.readsAtPastRevisions(.postgres) }
  @Test func rangeOptions() async throws { try await Contract.rangeOptions(.postgres) }
  @Test func createModVersionBookkeeping() async throws { try await Contract.createModVersionBookkeeping(.postgres) }
  @Test func transactionCompares() async throws { try await Contract.transactionCompares(.postgres) }
  @Test func putOptions() async throws { try await Contract.putOptions(.postgres) }
  @Test func deleteRanges() async throws { try await Contract.deleteRanges(.postgres) }
  @Test func watchFromThePast() async throws { try await Contract.watchFromThePast(.postgres) }
  @Test func bulkDelete() async throws { try await Contract.bulkDelete(.postgres) }
  @Test func watchBelowCompaction() async throws { try await Contract.watchBelowCompaction(.postgres) }
  @Test func compaction() async throws { try await Contract.compaction(.postgres) }
  @Test func compactionOfARangeDelete() async throws { try await Contract.compactionOfARangeDelete(.postgres) }
  @Test func leases() async throws { try await Contract.leases(.postgres) }
  @Test func leaseExpiry() async throws { try await Contract.leaseExpiry(.postgres) }
}
