import Crypto
import Glibc

/// One blob being written into a ``ContentStore``: bytes go to a private temporary file
/// while they are hashed, and the blob appears under its digest only at `commit()`, after
/// the digest and size check. Archive import feeds it from a tar member, registry pulls
/// from a network body, so neither holds a layer in memory.
final class ContentIngest {
  private let store: ContentStore
  private let expected: Digest?
  private let size: Int64?
  private let temporary: String
  private var fd: Int32
  private var hasher = SHA256()
  private(set) var written: Int64 = 0

  init(store: ContentStore, expected: Digest?, size: Int64?) throws {
    self.store = store
    self.expected = expected
    self.size = size
    try FileSystem.makeDirectories("\(store.root)/blobs/sha256")
    temporary = "\(store.root)/blobs/sha256/.ingest-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw RuntimeError.io("cannot create \(temporary)", errno: errno) }
  }

  deinit { abort() }

  /// Appends bytes; refuses to grow past the announced size so a wrong body cannot fill the disk.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard fd >= 0 else { throw RuntimeError(.internalError, "write to a finished ingest \(temporary)") }
    if let size, written + Int64(bytes.count) > size {
      let name = expected?.description ?? "blob"
      abort()
      throw RuntimeError(.digestMismatch, "\(name) is larger than the \(size) bytes its descriptor says")
    }
    hasher.update(bufferPointer: bytes)
    do {
      try FileSystem.writeAll(fd, bytes, path: temporary)
    } catch {
      abort()
      throw error
    }
    written += Int64(bytes.count)
  }

  /// Verifies digest and size and moves the blob under its name; returns the digest.
  func commit() throws -> Digest {
    guard fd >= 0 else { throw RuntimeError(.internalError, "commit of a finished ingest \(temporary)") }
    close(fd)
    fd = -1
    let digest = Digest(finalizing: hasher)
    if let expected, expected != digest {
      unlink(temporary)
      throw RuntimeError(.digestMismatch, "content does not match its digest: expected \(expected), got \(digest)")
    }
    if let size, size != written {
      unlink(temporary)
      throw RuntimeError(.digestMismatch, "blob \(digest) has \(written) bytes, expected \(size)")
    }
    guard rename(temporary, store.path(digest)) == 0 else {
      let saved = errno
      unlink(temporary)
      throw RuntimeError.io("cannot store blob \(digest)", errno: saved)
    }
    return digest
  }

  /// Drops the partial blob (also done when the ingest is released unfinished).
  func abort() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    unlink(temporary)
  }
}
