import Foundation
import Glibc

@testable import Runtime

/// The busybox test image, built from Debian's busybox-static the way Tests/RuntimeTests build
/// theirs: one layer with busybox, its applets as symlinks, and users.
enum BusyboxImage {
  static let busyboxPath = "/bin/busybox"
  static let name = "docker.io/library/busybox:kubelet-test"

  static var available: Bool {
    guard let bytes = try? FileSystem.read(busyboxPath) else { return false }
    return !String(decoding: bytes.prefix(4096), as: UTF8.self).contains("ld-linux")
  }

  static func layer() throws -> [UInt8] {
    var tar = TarWriter()
    for directory in ["bin", "etc", "tmp", "root", "proc", "sys", "dev", "usr", "usr/bin", "www"] {
      tar.addDirectory(directory, mode: directory == "tmp" ? 0o1777 : 0o755)
    }
    tar.addFile("bin/busybox", contents: try FileSystem.read(busyboxPath), mode: 0o755)
    let process = Process()
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: busyboxPath)
    process.arguments = ["--list"]
    process.standardOutput = pipe
    try process.run()
    let list = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    for applet in String(decoding: list, as: UTF8.self).split(separator: "\n") where applet != "busybox" {
      tar.addSymlink("bin/\(applet)", target: "/bin/busybox")
    }
    tar.addFile("etc/passwd", contents: Array("root:x:0:0:root:/root:/bin/sh\n".utf8))
    tar.addFile("etc/group", contents: Array("root:x:0:\n".utf8))
    tar.addFile("www/index.html", contents: Array("hello-from-pod\n".utf8))
    tar.finish()
    return tar.bytes
  }

  /// Imports the image into `images` through an OCI archive in `directory`.
  static func importInto(_ images: ImageStore, directory: String) throws {
    let layers = [try layer()]
    let config = ImageConfig(
      architecture: Platform.host.architecture, os: "linux",
      config: ImageRuntimeConfig(env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], cmd: ["sh"]),
      diffIDs: layers.map { Digest.of($0) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let configBytes = Array(try encoder.encode(config))
    let manifest = ImageManifest(
      config: Descriptor(
        mediaType: MediaType.ociConfig, digest: Digest.of(configBytes), size: Int64(configBytes.count)),
      layers: layers.map { Descriptor(mediaType: MediaType.ociLayer, digest: Digest.of($0), size: Int64($0.count)) })
    let manifestBytes = Array(try encoder.encode(manifest))
    let index = ImageIndex(
      schemaVersion: 2, mediaType: MediaType.ociIndex,
      manifests: [
        Descriptor(
          mediaType: MediaType.ociManifest, digest: Digest.of(manifestBytes), size: Int64(manifestBytes.count),
          annotations: ["io.containerd.image.name": name, "org.opencontainers.image.ref.name": "kubelet-test"])
      ])
    var tar = TarWriter()
    tar.addFile("oci-layout", contents: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    tar.addFile("index.json", contents: Array(try encoder.encode(index)))
    tar.addDirectory("blobs")
    tar.addDirectory("blobs/sha256")
    for blob in [configBytes, manifestBytes] + layers {
      tar.addFile("blobs/sha256/\(Digest.of(blob).hex)", contents: blob)
    }
    tar.finish()
    let archive = directory + "/busybox.tar"
    try FileSystem.writeAtomically(archive, tar.bytes)
    _ = try images.importArchive(archive)
  }
}
