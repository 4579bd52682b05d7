import PKI
import Store

/// Keeps the PKI's encrypted bootstrap blob in the revision log, created at most once (replaced only by
/// `rotate-ca`), so every server on one datastore loads the same CAs.
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

  public func replaceBootstrap(_ current: [UInt8], with blob: [UInt8]) async throws -> Bool {
    let objects = ObjectStore(log: log)
    guard let stored = try await objects.get(key: ClusterPKI.bootstrapKey), stored.value == current else {
      return false
    }
    do {
      _ = try await objects.update(key: ClusterPKI.bootstrapKey, value: blob, revision: stored.modRevision)
      return true
    } catch ObjectStore.Outcome.modified, ObjectStore.Outcome.missing {
      return false
    }
  }
}
