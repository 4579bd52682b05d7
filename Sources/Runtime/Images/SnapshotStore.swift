import Crypto
import Glibc
import Logging

/// Read-only snapshots, one per layer chain, under `<root>/snapshots/<chainID hex>/fs`.
/// A layer is unpacked once and shared by every container of every image that has it; a
/// snapshot appears under its final name only when fully unpacked and verified.
public struct SnapshotStore: Sendable {
  public let root: String

  public init(root: String) { self.root = root }

  public var directory: String { "\(root)/snapshots" }

  /// The overlay lower directory for a chain, relative to `directory` (keeps mount options short).
  public func relativePath(_ chainID: Digest) -> String { "\(chainID.hex)/fs" }
  public func path(_ chainID: Digest) -> String { "\(directory)/\(chainID.hex)/fs" }
  public func contains(_ chainID: Digest) -> Bool { FileSystem.exists("\(directory)/\(chainID.hex)/fs") }

  /// Chain IDs as OCI defines them: the first is the first diffID, then sha256("<parent> <diffID>").
  public static func chainIDs(_ diffIDs: [Digest]) -> [Digest] {
    var result: [Digest] = []
    for diffID in diffIDs {
      guard let parent = result.last else {
        result.append(diffID)
        continue
      }
      result.append(Digest.of(Array("\(parent) \(diffID)".utf8)))
    }
    return result
  }

  /// Unpacks each layer not yet present. `layers` are the stored (maybe compressed) blobs.
  func prepare(layers: [Descriptor], diffIDs: [Digest], content: ContentStore, logger: Logger) throws {
    guard layers.count == diffIDs.count else {
      throw RuntimeError(.invalidImage, "image has \(layers.count) layers but its config lists \(diffIDs.count)")
    }
    try FileSystem.makeDirectories(directory, mode: 0o700)
    let chain = Self.chainIDs(diffIDs)
    for index in layers.indices {
      try unpack(layers[index], chainID: chain[index], diffID: diffIDs[index], content: content, logger: logger)
    }
  }

  /// Unpacks one layer into the snapshot `chainID` unless it exists; layers unpack independently
  /// of each other (overlayfs stacks them), so a pull unpacks each as soon as it is downloaded.
  func unpack(_ layer: Descriptor, chainID: Digest, diffID: Digest, content: ContentStore, logger: Logger) throws {
    guard !contains(chainID) else { return }
    try FileSystem.makeDirectories(directory, mode: 0o700)
    let staging = "\(directory)/.unpack-\(chainID.short)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileSystem.makeDirectories(staging + "/fs", mode: 0o755)
    do {
      let hashing = HashingSource(try decompressing(try FileSource(path: content.path(layer.digest))))
      _ = try LayerUnpacker(root: staging + "/fs", logger: logger).unpack(hashing)
      let actual = try hashing.finish()
      guard actual == diffID else {
        throw RuntimeError(
          .digestMismatch, "layer \(layer.digest) unpacks to \(actual), but the image config says \(diffID)")
      }
      guard rename(staging, "\(directory)/\(chainID.hex)") == 0 || contains(chainID) else {
        throw RuntimeError.io("cannot commit snapshot \(chainID)", errno: errno)
      }
    } catch {
      try? FileSystem.removeTree(staging)
      throw error
    }
    try? FileSystem.removeTree(staging)
  }

  public func all() -> [Digest] {
    FileSystem.list(directory).filter { $0.count == 64 }.map { Digest(hex: $0) }
  }

  public func remove(_ chainID: Digest) throws { try FileSystem.removeTree("\(directory)/\(chainID.hex)") }
}
