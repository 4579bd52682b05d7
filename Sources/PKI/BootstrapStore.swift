/// Where the cluster's encrypted bootstrap secrets live, so every server on one datastore shares one CA.
///
/// The server implements this over its datastore (suggested key: ``ClusterPKI/bootstrapKey``); PKI never
/// sees the datastore itself. Blobs are opaque, already encrypted bytes.
public protocol BootstrapStore: Sendable {
  /// The stored blob, or nil when this datastore has never held one.
  func loadBootstrap() async throws -> [UInt8]?

  /// Stores `blob` only if no blob is stored yet, atomically (a create-if-absent transaction). Returns the blob
  /// stored afterwards: `blob` when this call created it, else the earlier one, so racing servers converge.
  func createBootstrap(ifAbsent blob: [UInt8]) async throws -> [UInt8]

  /// Replaces the stored blob with `blob` only if it is still `current` (compare-and-swap);
  /// false when another writer changed it first.
  func replaceBootstrap(_ current: [UInt8], with blob: [UInt8]) async throws -> Bool
}

/// A process-local ``BootstrapStore`` for tests and single-process tools; the data dies with the process.
public actor MemoryBootstrapStore: BootstrapStore {
  private var blob: [UInt8]?

  public init(blob: [UInt8]? = nil) { self.blob = blob }

  public func loadBootstrap() -> [UInt8]? { blob }

  public func createBootstrap(ifAbsent candidate: [UInt8]) -> [UInt8] {
    if let blob { return blob }
    blob = candidate
    return candidate
  }

  public func replaceBootstrap(_ current: [UInt8], with replacement: [UInt8]) -> Bool {
    guard blob == current else { return false }
    blob = replacement
    return true
  }
}
