import Testing

@testable import Runtime

@Suite struct LayerOperationTests {
  func entry(_ path: String, _ kind: TarEntry.Kind = .file, link: String = "") -> TarEntry {
    TarEntry(path: path, kind: kind, size: 0, mode: 0o644, uid: 0, gid: 0, modificationTime: 0, linkTarget: link)
  }

  @Test func whiteoutsBecomeOverlayMarkers() throws {
    #expect(try LayerOperation.plan(entry("etc/.wh.motd")) == .whiteout(path: "etc/motd"))
    #expect(try LayerOperation.plan(entry("./.wh.top")) == .whiteout(path: "top"))
    #expect(try LayerOperation.plan(entry("opt/.wh..wh..opq")) == .opaque(directory: "opt"))
    #expect(try LayerOperation.plan(entry(".wh..wh..opq")) == .opaque(directory: ""))
  }

  @Test func ordinaryEntriesAreNormalised() throws {
    #expect(try LayerOperation.plan(entry("./usr/bin/", .directory)) == .directory(path: "usr/bin"))
    #expect(
      try LayerOperation.plan(entry("/bin/sh", .symlink, link: "busybox"))
        == .symlink(path: "bin/sh", target: "busybox"))
    #expect(
      try LayerOperation.plan(entry("bin/a", .hardLink, link: "./bin/b")) == .hardLink(path: "bin/a", target: "bin/b"))
    #expect(try LayerOperation.plan(entry("./", .directory)) == nil)
  }

  @Test func deviceNodesAreRefused() throws {
    guard case .refused(let path, _) = try LayerOperation.plan(entry("dev/sda", .blockDevice)) else {
      Issue.record("a block device was not refused")
      return
    }
    #expect(path == "dev/sda")
  }

  @Test func pathsLeavingTheLayerAreErrors() {
    #expect(throws: RuntimeError.self) { try LayerOperation.plan(entry("../../etc/passwd")) }
    #expect(throws: RuntimeError.self) { try LayerOperation.plan(entry("a/../../b")) }
    #expect(throws: RuntimeError.self) { try LayerOperation.plan(entry("etc/.wh..")) }
  }
}
