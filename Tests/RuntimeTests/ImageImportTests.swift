import Foundation
import Glibc
import SkiffTestSupport
import Testing

@testable import Runtime

/// Import of OCI and docker archives into a real store (root: layers keep ownership,
/// whiteouts are device nodes and opaque directories are trusted xattrs).
@Suite(.enabled(if: RuntimeFixture.canRun, "\(RuntimeFixture.skipReason ?? "")"))
struct ImageImportTests {
  @Test func importsOCIArchiveWithSnapshotsAndWhiteouts() throws {
    let root = try TestImage.temporaryDirectory("import")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root + "/images")
    try TestImage.writeOCIArchive(to: root + "/image.tar")
    let records = try store.importArchive(root + "/image.tar")
    #expect(records.map(\.name) == [TestImage.name])
    let image = try store.resolve("busybox:test")
    #expect(image.record.chainIDs.count == 2)
    #expect(image.runtimeConfig.cmd == ["sh"])
    let base = store.snapshots.path(image.record.chainIDs[0])
    let top = store.snapshots.path(image.record.chainIDs[1])
    var info = stat()
    #expect(stat(base + "/bin/busybox", &info) == 0 && info.st_mode & 0o777 == 0o755)
    #expect(stat(base + "/home/app", &info) == 0 && info.st_uid == 1000)
    #expect(stat(base + "/bin/sh-hardlink", &info) == 0 && info.st_nlink == 2)
    #expect(lstat(top + "/etc/motd", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR && info.st_rdev == 0)
    // The opaque marker (a trusted xattr) is checked through overlayfs in ContainerIntegrationTests.
    #expect(FileSystem.isDirectory(top + "/opt") && FileSystem.exists(top + "/opt/upper-only"))
    // Importing again reuses blobs and snapshots.
    #expect(try store.importArchive(root + "/image.tar").count == 1)
    #expect(store.snapshots.all().count == 2)
  }

  @Test func importsCompressedDockerArchives() throws {
    let root = try TestImage.temporaryDirectory("docker")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root + "/images")
    try TestImage.writeDockerArchive(to: root + "/plain.tar", tag: "example.com/tools/busybox:1")
    #expect(try TestImage.run(["sh", "-c", "gzip -c \(root)/plain.tar > \(root)/image.tar.gz"]) == 0)
    let gzip = try store.importArchive(root + "/image.tar.gz")
    #expect(gzip.map(\.name) == ["example.com/tools/busybox:1"])
    if (try? TestImage.run(["sh", "-c", "command -v zstd >/dev/null"])) == 0 {
      try store.remove("example.com/tools/busybox:1")
      #expect(try TestImage.run(["sh", "-c", "zstd -q -c \(root)/plain.tar > \(root)/image.tar.zst"]) == 0)
      #expect(try store.importArchive(root + "/image.tar.zst").map(\.name) == ["example.com/tools/busybox:1"])
    }
    #expect(try store.resolve("example.com/tools/busybox:1").record.chainIDs.count == 1)
  }

  @Test func importsArchivesDroppedIntoTheDirectory() throws {
    let root = try TestImage.temporaryDirectory("drop")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root + "/images")
    try TestImage.writeOCIArchive(to: root + "/images/dropped.tar", name: "docker.io/library/dropped:1")
    // Files younger than a second may still be being copied in.
    var times = [timespec(tv_sec: time(nil) - 5, tv_nsec: 0), timespec(tv_sec: time(nil) - 5, tv_nsec: 0)]
    utimensat(AT_FDCWD, root + "/images/dropped.tar", &times, 0)
    #expect(store.importDropped().map(\.name) == ["docker.io/library/dropped:1"])
    #expect(store.importDropped().isEmpty)
  }

  @Test func rejectsACorruptBlob() throws {
    let root = try TestImage.temporaryDirectory("corrupt")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root + "/images")
    var tar = TarWriter()
    tar.addFile("blobs/sha256/" + String(repeating: "0", count: 64), contents: Array("not that".utf8))
    tar.addFile("index.json", contents: Array(#"{"schemaVersion":2,"manifests":[]}"#.utf8))
    tar.finish()
    try FileSystem.writeAtomically(root + "/bad.tar", tar.bytes)
    #expect(throws: RuntimeError.self) { try store.importArchive(root + "/bad.tar") }
  }

  @Test func garbageCollectionRemovesUnusedContent() throws {
    let root = try TestImage.temporaryDirectory("gc")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root + "/images")
    try TestImage.writeOCIArchive(to: root + "/image.tar")
    try store.importArchive(root + "/image.tar")
    try store.remove(TestImage.name)
    let removed = store.prune(keepingSnapshots: [])
    #expect(removed.snapshots == 2)
    #expect(store.content.all().isEmpty)
    #expect(throws: RuntimeError.self) { try store.resolve(TestImage.name) }
  }
}
