import Foundation
import Glibc

import Runtime

/// Builds OCI archives for the tests from Debian's busybox-static, so no registry is needed.
public enum TestImage {
  public static let busyboxPath = "/bin/busybox"
  public static let name = "docker.io/library/busybox:test"

  public static var busyboxAvailable: Bool {
    // The static build: a dynamically linked busybox would need the host's libc in the image.
    guard let bytes = FileManager.default.contents(atPath: busyboxPath) else { return false }
    return !String(decoding: bytes.prefix(4096), as: UTF8.self).contains("ld-linux")
  }

  /// The base layer: busybox, its applets as symlinks, users and groups.
  public static func baseLayer() throws -> [UInt8] {
    var tar = TarWriter()
    for directory in ["bin", "etc", "tmp", "home", "home/app", "root", "proc", "sys", "dev", "usr", "usr/bin", "opt"] {
      let mode: UInt32 = directory == "tmp" ? 0o1777 : 0o755
      let owner: UInt32 = directory == "home/app" ? 1000 : 0
      tar.addDirectory(directory, mode: mode, uid: owner, gid: owner)
    }
    tar.addFile("bin/busybox", contents: try read(busyboxPath), mode: 0o755)
    for applet in try applets() where applet != "busybox" {
      tar.addSymlink("bin/\(applet)", target: "/bin/busybox")
    }
    tar.addFile(
      "etc/passwd",
      contents: Array(
        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"
          .utf8
      ))
    tar.addFile("etc/group", contents: Array("root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n".utf8))
    tar.addFile("etc/motd", contents: Array("hello from the base layer\n".utf8))
    tar.addFile("opt/lower-only", contents: Array("lower\n".utf8))
    tar.addHardLink("bin/sh-hardlink", target: "bin/busybox")
    tar.finish()
    return tar.bytes
  }

  /// A second layer: deletes /etc/motd (whiteout), makes /opt opaque, adds a file.
  public static func topLayer() -> [UInt8] {
    var tar = TarWriter()
    tar.addDirectory("etc")
    tar.addFile("etc/.wh.motd", contents: [])
    tar.addDirectory("opt")
    tar.addFile("opt/.wh..wh..opq", contents: [])
    tar.addFile("opt/upper-only", contents: Array("upper\n".utf8))
    tar.finish()
    return tar.bytes
  }

  public static func applets() throws -> [String] {
    let pipe = Pipe()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: busyboxPath)
    process.arguments = ["--list"]
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  /// Writes an OCI archive (oci-layout, index.json, blobs) naming the image `name`.
  public static func writeOCIArchive(
    to path: String, name: String = TestImage.name, config: ImageRuntimeConfig? = nil,
    layers: [[UInt8]]? = nil
  ) throws {
    let layers = try layers ?? [baseLayer(), topLayer()]
    let runtimeConfig =
      config
      ?? ImageRuntimeConfig(
        env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "IMAGE_VAR=from-image"],
        cmd: ["sh"])
    let imageConfig = ImageConfig(
      architecture: Platform.host.architecture, os: "linux", config: runtimeConfig,
      diffIDs: layers.map { Digest.of($0) })
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let configBytes = Array(try encoder.encode(imageConfig))
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
          annotations: ["io.containerd.image.name": name, "org.opencontainers.image.ref.name": "test"])
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
    try Data(tar.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  /// Writes a `docker save` style archive (manifest.json, <id>.json, <n>/layer.tar).
  public static func writeDockerArchive(to path: String, tag: String) throws {
    let layers = [try baseLayer()]
    let imageConfig = ImageConfig(
      architecture: Platform.host.architecture, os: "linux", config: ImageRuntimeConfig(cmd: ["sh"]),
      diffIDs: layers.map { Digest.of($0) })
    let configBytes = Array(try JSONEncoder().encode(imageConfig))
    let configName = "\(Digest.of(configBytes).hex).json"
    let entry = DockerManifestEntry(config: configName, repoTags: [tag], layers: ["layer0/layer.tar"])
    var tar = TarWriter()
    tar.addFile(configName, contents: configBytes)
    tar.addDirectory("layer0")
    tar.addFile("layer0/layer.tar", contents: layers[0])
    tar.addFile("manifest.json", contents: Array(try JSONEncoder().encode([entry])))
    tar.finish()
    try Data(tar.bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
  }

  public static func temporaryDirectory(_ label: String) throws -> String {
    var template = Array("/tmp/skiff-\(label)-XXXXXX".utf8CString)
    guard let pointer = mkdtemp(&template) else { throw TestImageError("mkdtemp failed: errno \(errno)") }
    return String(cString: pointer)
  }

  /// Runs a host command and returns its exit code.
  @discardableResult
  public static func run(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
  }

  static func read(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw TestImageError("cannot read \(path)") }
    return Array(data)
  }
}

/// One entry of a `docker save` manifest.json.
struct DockerManifestEntry: Codable {
  var config: String
  var repoTags: [String]
  var layers: [String]

  enum CodingKeys: String, CodingKey { case config = "Config", repoTags = "RepoTags", layers = "Layers" }
}

public struct TestImageError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
