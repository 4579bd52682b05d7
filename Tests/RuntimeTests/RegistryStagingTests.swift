import Foundation
import Glibc
import SkiffTestSupport
import Testing

@testable import Runtime

/// What an interrupted pull leaves behind, and what garbage collection keeps during a pull.
struct RegistryStagingTests {
  @Test func pruneRemovesStagingOfDeadProcessesOnly() throws {
    let root = try TestImage.temporaryDirectory("staging")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root)
    let finished = Process()
    finished.executableURL = URL(fileURLWithPath: "/bin/true")
    try finished.run()
    finished.waitUntilExit()
    let dead = finished.processIdentifier
    let blobs = "\(root)/blobs/sha256"
    try FileSystem.makeDirectories(blobs)
    try FileSystem.makeDirectories("\(store.snapshots.directory)/.unpack-abc-\(dead)-7/fs/etc")
    try FileSystem.writeAtomically("\(blobs)/.ingest-\(dead)-1", [1])
    try FileSystem.writeAtomically("\(blobs)/.ingest-\(getpid())-2", [2])
    store.prune(keepingSnapshots: [])
    #expect(FileSystem.list(blobs) == [".ingest-\(getpid())-2"])
    #expect(FileSystem.list(store.snapshots.directory).isEmpty)
  }

  @Test func pinnedBlobsSurvivePruneUntilUnpinned() throws {
    let root = try TestImage.temporaryDirectory("pins")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root)
    let digest = try store.content.put(Array("a layer being pulled".utf8))
    store.pulls.pin([digest])
    store.prune(keepingSnapshots: [])
    #expect(store.content.contains(digest))
    store.pulls.unpin([digest])
    store.prune(keepingSnapshots: [])
    #expect(!store.content.contains(digest))
  }

  @Test func abortedIngestLeavesNothing() throws {
    let root = try TestImage.temporaryDirectory("ingest")
    defer { try? FileSystem.removeTree(root) }
    let store = ContentStore(root: root)
    let bytes = Array("hello".utf8)
    do {
      let ingest = try ContentIngest(store: store, expected: Digest.of(bytes), size: 3)
      let error = #expect(throws: RuntimeError.self) {
        try bytes.withUnsafeBytes { try ingest.write($0) }
      }
      #expect(error?.code == .digestMismatch)
    }
    do {
      let ingest = try ContentIngest(store: store, expected: nil, size: nil)
      try bytes.withUnsafeBytes { try ingest.write($0) }
      // Released without commit (a cancelled download).
    }
    #expect(FileSystem.list("\(root)/blobs/sha256").isEmpty)
    let ingest = try ContentIngest(store: store, expected: Digest.of(bytes), size: 5)
    try bytes.withUnsafeBytes { try ingest.write($0) }
    #expect(try ingest.commit() == Digest.of(bytes))
    #expect(try store.read(Digest.of(bytes)) == bytes)
  }
}
