import Foundation
import SkiffTestSupport
import Testing

@testable import Runtime

@Suite struct ImageFormatTests {
  @Test func parsesReferencesLikeDocker() throws {
    #expect(try ImageReference(parsing: "busybox").description == "docker.io/library/busybox:latest")
    #expect(try ImageReference(parsing: "rancher/pause:3.6").description == "docker.io/rancher/pause:3.6")
    #expect(try ImageReference(parsing: "localhost:5000/app").description == "localhost:5000/app:latest")
    let pinned = try ImageReference(parsing: "ghcr.io/a/b@sha256:" + String(repeating: "ab", count: 32))
    #expect(pinned.registry == "ghcr.io")
    #expect(pinned.tag == nil)
    #expect(pinned.manifestReference == "sha256:" + String(repeating: "ab", count: 32))
    #expect(throws: RuntimeError.self) { try ImageReference(parsing: "Upper/Case") }
  }

  @Test func decodesManifestAndConfig() throws {
    let manifestJSON = """
      {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
       "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":10,
                 "digest":"sha256:\(String(repeating: "1", count: 64))"},
       "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":20,
                  "digest":"sha256:\(String(repeating: "2", count: 64))"}]}
      """
    let manifest = try JSONDecoder().decode(ImageManifest.self, from: Data(manifestJSON.utf8))
    #expect(manifest.layers.count == 1)
    #expect(manifest.config.size == 10)
    let configJSON = """
      {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":["/e"],"Cmd":null,
       "WorkingDir":"/w","User":"app:staff","StopSignal":"SIGQUIT"},
       "rootfs":{"type":"layers","diff_ids":["sha256:\(String(repeating: "3", count: 64))"]},"history":[]}
      """
    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(configJSON.utf8))
    #expect(config.config?.entrypoint == ["/e"])
    #expect(config.config?.cmd == nil)
    #expect(config.config?.user == "app:staff")
    #expect(config.config?.stopSignal == "SIGQUIT")
    #expect(config.rootfs.diffIDs.count == 1)
  }

  @Test func rejectsMalformedDigests() {
    #expect(throws: RuntimeError.self) { try Digest(parsing: "sha512:abc") }
    #expect(throws: RuntimeError.self) { try Digest(parsing: "sha256:XYZ") }
  }

  @Test func choosesTheHostPlatformFromAnIndex() throws {
    let root = try TestImage.temporaryDirectory("index")
    defer { try? FileSystem.removeTree(root) }
    let store = try ImageStore(root: root, platform: Platform(architecture: "arm64", variant: "v8"))
    let amd = Descriptor(
      mediaType: MediaType.ociManifest, digest: Digest.of([1]), size: 1, platform: Platform(architecture: "amd64"))
    let arm = Descriptor(
      mediaType: MediaType.ociManifest, digest: Digest.of([2]), size: 1,
      platform: Platform(architecture: "arm64", variant: "v8"))
    #expect(store.platform.select(from: [amd, arm])?.digest == Digest.of([2]))
    #expect(store.platform.select(from: [amd]) == nil)
  }

  @Test func chainIDsFollowTheOCIDefinition() {
    let a = Digest.of(Array("a".utf8))
    let b = Digest.of(Array("b".utf8))
    let chain = SnapshotStore.chainIDs([a, b])
    #expect(chain[0] == a)
    #expect(chain[1] == Digest.of(Array("\(a) \(b)".utf8)))
  }

  @Test func tarRoundTripsThroughReaderAndWriter() throws {
    var writer = TarWriter()
    writer.addDirectory("dir", mode: 0o750, uid: 7, gid: 8)
    writer.addFile("dir/file", contents: Array("hello".utf8), mode: 0o640)
    let longName = "dir/" + String(repeating: "n", count: 150)
    writer.addFile(longName, contents: [1, 2, 3])
    writer.addSymlink("link", target: "dir/file")
    writer.addHardLink("hard", target: "dir/file")
    writer.finish()
    let reader = TarReader(MemorySource(writer.bytes))
    var entries: [TarEntry] = []
    var contents: [String: [UInt8]] = [:]
    while let entry = try reader.next() {
      entries.append(entry)
      if entry.kind == .file { contents[entry.path] = try reader.readAll(entry.size) }
    }
    #expect(entries.map(\.path) == ["dir/", "dir/file", longName, "link", "hard"])
    #expect(entries[0].kind == .directory && entries[0].mode == 0o750 && entries[0].uid == 7 && entries[0].gid == 8)
    #expect(contents["dir/file"] == Array("hello".utf8))
    #expect(contents[longName] == [1, 2, 3])
    #expect(entries[3].kind == .symlink && entries[3].linkTarget == "dir/file")
    #expect(entries[4].kind == .hardLink && entries[4].linkTarget == "dir/file")
  }

  @Test func detectsCompressionFromMagicBytes() {
    #expect(Compression.detect([0x1f, 0x8b, 8, 0]) == .gzip)
    #expect(Compression.detect([0x28, 0xb5, 0x2f, 0xfd]) == .zstd)
    #expect(Compression.detect(Array("ustar".utf8)) == .none)
  }
}
