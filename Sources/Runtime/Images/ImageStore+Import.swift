import Foundation
import Glibc

extension ImageStore {
  /// Imports a `docker save` or OCI-archive tarball (plain, gzip or zstd); returns the images named by it.
  @discardableResult
  public func importArchive(_ path: String) throws -> [ImageRecord] {
    let reader = TarReader(try decompressing(try FileSource(path: path)))
    var metadata: [String: [UInt8]] = [:]  // small JSON members kept in memory
    var stored: [String: (Digest, Int64)] = [:]  // member path → blob
    while let entry = try reader.next() {
      guard entry.kind == .file, let member = try LayerOperation.clean(entry.path) else { continue }
      if entry.size < 4 << 20 && (member.hasSuffix(".json") || member == "oci-layout" || member == "repositories") {
        let bytes = try reader.readAll(entry.size)
        metadata[member] = bytes
        stored[member] = (try content.put(bytes), entry.size)
        continue
      }
      var expected: Digest?
      if member.hasPrefix("blobs/sha256/") { expected = try Digest(parsing: "sha256:" + member.dropFirst(13)) }
      let digest = try content.write(from: TarEntrySource(reader), expected: expected, size: entry.size)
      stored[member] = (digest, entry.size)
    }
    // Small blobs under blobs/sha256 were kept as metadata too; verify their names now.
    for (member, (digest, _)) in stored where member.hasPrefix("blobs/sha256/") {
      guard digest.hex == member.dropFirst(13) else {
        throw RuntimeError(.digestMismatch, "\(path): \(member) does not match its digest")
      }
    }
    if let manifestJSON = metadata["manifest.json"] {
      return try importDocker(manifestJSON, stored: stored, archive: path)
    }
    if let indexJSON = metadata["index.json"] {
      return try importOCI(indexJSON, archive: path)
    }
    throw RuntimeError(
      .invalidImage, "\(path) is neither a docker-archive nor an OCI archive (no manifest.json or index.json)")
  }

  private func importDocker(_ json: [UInt8], stored: [String: (Digest, Int64)], archive: String) throws -> [ImageRecord]
  {
    let entries = try JSONDecoder().decode([DockerArchiveEntry].self, from: Data(json))
    var result: [ImageRecord] = []
    for entry in entries {
      guard let (configDigest, configSize) = stored[entry.config] else {
        throw RuntimeError(.invalidImage, "\(archive): config \(entry.config) is missing")
      }
      var layers: [Descriptor] = []
      for layer in entry.layers {
        guard let (digest, size) = stored[layer] else {
          throw RuntimeError(.invalidImage, "\(archive): layer \(layer) is missing")
        }
        let head = try FileSource(path: content.path(digest))
        let peeked = try PeekedSource(head, peek: 4)
        let mediaType: String
        switch Compression.detect(peeked.peeked) {
        case .gzip: mediaType = MediaType.ociLayerGzip
        case .zstd: mediaType = MediaType.ociLayerZstd
        case .none: mediaType = MediaType.ociLayer
        }
        layers.append(Descriptor(mediaType: mediaType, digest: digest, size: size))
      }
      let manifest = ImageManifest(
        config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: configSize), layers: layers)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      let manifestDigest = try content.put(Array(try encoder.encode(manifest)))
      let names = try (entry.repoTags ?? []).map { try ImageReference(parsing: $0).description }
      let record = try commit(
        manifestDigest: manifestDigest, manifest: manifest, names: names.isEmpty ? [configDigest.description] : names)
      result += names.isEmpty ? [named(record, configDigest.description)] : names.map { named(record, $0) }
    }
    return result
  }

  private func importOCI(_ json: [UInt8], archive: String) throws -> [ImageRecord] {
    let index = try JSONDecoder().decode(ImageIndex.self, from: Data(json))
    var result: [ImageRecord] = []
    for descriptor in index.manifests {
      let annotations = descriptor.annotations ?? [:]
      var name = annotations["io.containerd.image.name"]
      if name == nil, let ref = annotations["org.opencontainers.image.ref.name"], ref.contains(":") || ref.contains("/")
      {
        name = ref
      }
      let (manifestDigest, manifest) = try self.manifest(for: descriptor.digest, mediaType: descriptor.mediaType)
      let normalized =
        try name.map { try ImageReference(parsing: $0).description } ?? manifest.config.digest.description
      let record = try commit(manifestDigest: manifestDigest, manifest: manifest, names: [normalized])
      result.append(named(record, normalized))
    }
    if result.isEmpty { throw RuntimeError(.invalidImage, "\(archive): index.json lists no images") }
    return result
  }

  private func named(_ record: ImageRecord, _ name: String) -> ImageRecord {
    var copy = record
    copy.name = name
    return copy
  }

  /// Imports every archive dropped into the images directory that is new or changed since
  /// it was last imported (K3s's air-gap directory). Failures are logged, not thrown.
  @discardableResult
  public func importDropped() -> [ImageRecord] {
    let statePath = "\(root)/imported.json"
    var seen = (try? JSONDecoder().decode([String: String].self, from: Data(FileSystem.read(statePath)))) ?? [:]
    var imported: [ImageRecord] = []
    for name in FileSystem.list(root).sorted() where Self.isArchiveName(name) {
      let path = "\(root)/\(name)"
      var info = stat()
      guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
      let stamp = "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
      guard seen[name] != stamp else { continue }
      // A file still being copied in changes size; wait for it to settle.
      guard Date().timeIntervalSince1970 - Double(info.st_mtim.tv_sec) >= 1 else { continue }
      do {
        let records = try importArchive(path)
        imported += records
        logger.info("imported images", metadata: ["file": "\(name)", "images": "\(records.map(\.name))"])
      } catch {
        logger.error("cannot import image archive", metadata: ["file": "\(name)", "error": "\(error)"])
      }
      seen[name] = stamp
    }
    if let bytes = try? JSONEncoder().encode(seen) { try? FileSystem.writeAtomically(statePath, Array(bytes)) }
    return imported
  }

  static func isArchiveName(_ name: String) -> Bool {
    [".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.zstd"].contains { name.hasSuffix($0) } && !name.hasPrefix(".")
  }

  /// Imports dropped archives now and then every `interval` until cancelled.
  public func watchDropDirectory(interval: Duration = .seconds(2)) async {
    while !Task.isCancelled {
      importDropped()
      try? await Task.sleep(for: interval)
    }
  }
}

/// The data of the tar entry a reader is positioned on.
final class TarEntrySource: ByteSource {
  private let reader: TarReader

  init(_ reader: TarReader) { self.reader = reader }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { try reader.readData(into: buffer) }
}
