import Crypto
import Glibc

/// Blobs by sha256 under `<root>/blobs/sha256/<hex>`. Every write is hashed on the way in
/// and lands under its final name only when the digest (and size, if known) match.
public struct ContentStore: Sendable {
  public let root: String

  public init(root: String) { self.root = root }

  public func path(_ digest: Digest) -> String { "\(root)/blobs/sha256/\(digest.hex)" }

  public func contains(_ digest: Digest) -> Bool { FileSystem.exists(path(digest)) }

  public func read(_ digest: Digest) throws -> [UInt8] {
    do {
      return try FileSystem.read(path(digest))
    } catch let error as RuntimeError where error.code == .notFound {
      throw RuntimeError(.notFound, "blob \(digest) is not in the content store")
    }
  }

  /// Stores bytes already in memory; returns their digest.
  @discardableResult
  public func put(_ bytes: [UInt8], expected: Digest? = nil) throws -> Digest {
    try write(from: MemorySource(bytes), expected: expected, size: Int64(bytes.count))
  }

  /// Streams a source into the store, verifying it against `expected` when given.
  @discardableResult
  func write(from source: ByteSource, expected: Digest?, size: Int64?) throws -> Digest {
    if let expected, contains(expected) {
      // Already present (verified when it was written); drain nothing, trust the name.
      return expected
    }
    let ingest = try ContentIngest(store: self, expected: expected, size: size)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    try buffer.withUnsafeMutableBytes { bytes in
      while true {
        let n = try source.read(into: bytes)
        if n == 0 { break }
        try ingest.write(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
      }
    }
    return try ingest.commit()
  }

  public func remove(_ digest: Digest) { unlink(path(digest)) }

  public func all() -> [Digest] {
    FileSystem.list("\(root)/blobs/sha256").filter { $0.count == 64 }.map { Digest(hex: $0) }
  }
}

/// Passes bytes through while hashing them, to verify a layer's uncompressed digest (diffID).
final class HashingSource: ByteSource {
  private let source: ByteSource
  private var hasher = SHA256()

  init(_ source: ByteSource) { self.source = source }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let n = try source.read(into: buffer)
    if n > 0 { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
    return n
  }

  /// Reads to the end (tar streams may carry padding after the end marker) and returns the digest.
  func finish() throws -> Digest {
    var scratch = [UInt8](repeating: 0, count: 65536)
    try scratch.withUnsafeMutableBytes { bytes in
      while try read(into: bytes) > 0 {}
    }
    return Digest(finalizing: hasher)
  }
}
