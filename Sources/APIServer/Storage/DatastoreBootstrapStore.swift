import PKI
import Store

/// Keeps the PKI's encrypted bootstrap blob in the revision log, created at most once, so
/// every server on one datastore loads the same CAs.
public struct DatastoreBootstrapStore: BootstrapStore {
  let log: RevisionLog

  public init(log: RevisionLog) { self.log = log }

  public func loadBootstrap() async throws -> [UInt8]? {
    try await ObjectStore(log: log).get(key: ClusterPKI.bootstrapKey)?.value
  }

  public func createBootstrap(ifAbsent blob: [UInt8]) async throws -> [UInt8] {
    do {
      _ = try await ObjectStore(log: log).create(key: ClusterPKI.bootstrapKey, value: blob)
      return blob
    } catch ObjectStore.Outcome.exists {
      return try await loadBootstrap() ?? blob
    }
  }
}
