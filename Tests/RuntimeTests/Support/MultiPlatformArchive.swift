import Foundation
import SkiffTestSupport

@testable import Runtime

/// An OCI archive whose index.json names an image index with two platforms: the busybox
/// test image for this host and a one-file image for another architecture.
enum MultiPlatformArchive {
  static let otherArch = Platform.host.architecture == "amd64" ? "arm64" : "amd64"

  static func write(to path: String) throws -> (index: Digest, hostManifest: Digest, otherManifest: Digest) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    var blobs: [[UInt8]] = []
    func image(_ platform: Platform, layers: [[UInt8]]) throws -> Descriptor {
      let config = ImageConfig(
        architecture: platform.architecture, os: platform.os, config: ImageRuntimeConfig(cmd: ["sh"]),
        diffIDs: layers.map { Digest.of($0) })
      let configBytes = Array(try encoder.encode(config))
      let manifest = ImageManifest(
        config: Descriptor(
          mediaType: MediaType.ociConfig, digest: Digest.of(configBytes), size: Int64(configBytes.count)),
        layers: layers.map { Descriptor(mediaType: MediaType.ociLayer, digest: Digest.of($0), size: Int64($0.count)) })
      let manifestBytes = Array(try encoder.encode(manifest))
      blobs += [configBytes, manifestBytes] + layers
      return Descriptor(
        mediaType: MediaType.ociManifest, digest: Digest.of(manifestBytes), size: Int64(manifestBytes.count),
        platform: platform)
    }
    var small = TarWriter()
    small.addFile("hello", contents: Array("other platform\n".utf8))
    small.finish()
    let host = try image(Platform(architecture: Platform.host.architecture), layers: [try TestImage.baseLayer()])
    let other = try image(Platform(architecture: otherArch), layers: [small.bytes])
    let indexBytes = Array(try encoder.encode(ImageIndex(manifests: [host, other])))
    blobs.append(indexBytes)
    let top = ImageIndex(manifests: [
      Descriptor(
        mediaType: MediaType.ociIndex, digest: Digest.of(indexBytes), size: Int64(indexBytes.count),
        annotations: ["org.opencontainers.image.ref.name": "multi"])
    ])
    var tar = TarWriter()
    tar.addFile("oci-layout", contents: Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
    tar.addFile("index.json", contents: Array(try encoder.encode(top)))
    tar.addDirectory("blobs")
    tar.addDirectory("blobs/sha256")
    var written = Set<Digest>()
    for blob in blobs where written.insert(Digest.of(blob)).inserted {
      tar.addFile("blobs/sha256/\(Digest.of(blob).hex)", contents: blob)
    }
    tar.finish()
    try FileSystem.writeAtomically(path, tar.bytes)
    return (Digest.of(indexBytes), host.digest, other.digest)
  }
}
