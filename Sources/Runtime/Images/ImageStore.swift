import Foundation
import Logging

/// A stored image: a name bound to a manifest for this host's platform.
public struct ImageRecord: Codable, Sendable, Equatable {
  public var name: String
  public var manifestDigest: Digest
  public var configDigest: Digest
  /// Compressed size of config and layers, as the registry or archive gave them.
  public var size: Int64
  public var chainIDs: [Digest]
  public var created: Date
  public var lastUsed: Date
}

/// An image ready to run: its record, config and the snapshot chain (bottom first).
public struct ResolvedImage: Sendable {
  public var record: ImageRecord
  public var config: ImageConfig
  public var runtimeConfig: ImageRuntimeConfig { config.config ?? ImageRuntimeConfig() }
}

/// Images under `<data-dir>/agent/images`: a content store (`blobs/`), unpacked layer
/// snapshots (`snapshots/`), and `images.json` naming manifests. Archives dropped into the
/// directory itself are imported by `importDropped()`.
public final class ImageStore: @unchecked Sendable {
  public let root: String
  public let content: ContentStore
  public let snapshots: SnapshotStore
  let logger: Logger
  let platform: Platform
  /// Registry settings and the downloads, unpacks and pins of pulls in progress.
  let pulls = PullCoordinator()
  private let lock = NSLock()
  private var cache: (stamp: String, records: [String: ImageRecord])?

  public init(root: String, platform: Platform = .host, logger: Logger = Logger(label: "skiff.images")) throws {
    self.root = root
    self.platform = platform
    self.logger = logger
    content = ContentStore(root: root)
    snapshots = SnapshotStore(root: root)
    try FileSystem.makeDirectories(root, mode: 0o700)
  }

  private var recordsPath: String { "\(root)/images.json" }

  /// Reads `images.json`, reusing the last parse while the file is unchanged (called under `lock`).
  func loadRecords() -> [String: ImageRecord] {
    var info = stat()
    guard stat(recordsPath, &info) == 0 else { return [:] }
    let stamp = "\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    if let cached = cache, cached.stamp == stamp { return cached.records }
    guard let bytes = try? FileSystem.read(recordsPath) else { return [:] }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let records = (try? decoder.decode([String: ImageRecord].self, from: Data(bytes))) ?? [:]
    cache = (stamp, records)
    return records
  }

  func saveRecords(_ records: [String: ImageRecord]) throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    try FileSystem.writeAtomically(recordsPath, Array(try encoder.encode(records)))
  }

  func withRecords<T>(_ body: (inout [String: ImageRecord]) throws -> T) throws -> T {
    lock.lock()
    defer { lock.unlock() }
    var records = loadRecords()
    let before = records
    let result = try body(&records)
    if records != before { try saveRecords(records) }
    return result
  }

  /// All named images, sorted by name.
  public func list() -> [ImageRecord] {
    lock.lock()
    defer { lock.unlock() }
    return loadRecords().values.sorted { $0.name < $1.name }
  }

  /// Finds an image by reference (`busybox`, `docker.io/library/busybox:1.36`, `name@sha256:…`),
  /// by its config digest (image ID) or a unique prefix of it.
  public func resolve(_ text: String) throws -> ResolvedImage {
    let records = list()
    var match = records.first { $0.name == text }
    if match == nil, let reference = try? ImageReference(parsing: text) {
      match = records.first { $0.name == reference.description }
      if match == nil, let digest = reference.digest {
        match = records.first {
          $0.manifestDigest == digest && $0.name.hasPrefix("\(reference.registry)/\(reference.repository)")
        }
      }
    }
    if match == nil {
      let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
      let candidates = records.filter { hex.count >= 12 && $0.configDigest.hex.hasPrefix(hex) }
      if Set(candidates.map(\.configDigest)).count == 1 { match = candidates.first }
    }
    guard let record = match else {
      throw RuntimeError(
        .notFound,
        "image \"\(text)\" not found: pull it with `skiff ctr images pull \(text)` or import it with "
          + "`skiff ctr images import FILE`")
    }
    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try content.read(record.configDigest)))
    return ResolvedImage(record: record, config: config)
  }

  /// Removes a name; content and snapshots go at the next garbage collection.
  public func remove(_ text: String) throws {
    let resolved = try resolve(text)
    try withRecords { records in records[resolved.record.name] = nil }
  }

  /// Records that a container started from the image (for least-recently-used collection);
  /// at most once a minute per image, so starting many containers does not rewrite the file each time.
  public func markUsed(_ name: String) {
    let now = Date()
    guard let record = list().first(where: { $0.name == name }), now.timeIntervalSince(record.lastUsed) > 60 else {
      return
    }
    try? withRecords { records in records[name]?.lastUsed = now }
  }

  /// Stores a manifest's config and layers as an image named `names`, unpacking snapshots.
  /// Archive import and registry pull both end here.
  func commit(manifestDigest: Digest, manifest: ImageManifest, names: [String]) throws -> ImageRecord {
    try manifest.checkRunnable(image: names.first ?? manifestDigest.description)
    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try content.read(manifest.config.digest)))
    if let os = config.os, let architecture = config.architecture,
      !platform.accepts(Platform(architecture: architecture, os: os))
    {
      throw RuntimeError(
        .invalidImage, "image is for \(os)/\(architecture), this machine runs \(platform.os)/\(platform.architecture)")
    }
    for layer in manifest.layers where !content.contains(layer.digest) {
      throw RuntimeError(.invalidImage, "layer \(layer.digest) of the image is missing")
    }
    try snapshots.prepare(layers: manifest.layers, diffIDs: config.rootfs.diffIDs, content: content, logger: logger)
    let size = manifest.config.size + manifest.layers.reduce(0) { $0 + $1.size }
    let now = Date()
    let record = ImageRecord(
      name: "", manifestDigest: manifestDigest, configDigest: manifest.config.digest, size: size,
      chainIDs: SnapshotStore.chainIDs(config.rootfs.diffIDs), created: now, lastUsed: now)
    try withRecords { records in
      for name in names {
        var named = record
        named.name = name
        if let existing = records[name], existing.manifestDigest == manifestDigest { named.created = existing.created }
        records[name] = named
      }
    }
    return record
  }

  /// Picks this host's manifest from an index, or returns the manifest itself.
  func manifest(for digest: Digest, mediaType: String?) throws -> (Digest, ImageManifest) {
    let bytes = try content.read(digest)
    let probe = try? JSONDecoder().decode(MediaTypeProbe.self, from: Data(bytes))
    let type = probe?.mediaType ?? mediaType
    if MediaType.isIndex(type) || (type == nil && probe?.manifests != nil) {
      let index = try JSONDecoder().decode(ImageIndex.self, from: Data(bytes))
      guard let chosen = platform.select(from: index.manifests) else {
        throw platform.noMatch(in: index.manifests, image: "index \(digest)")
      }
      return try manifest(for: chosen.digest, mediaType: chosen.mediaType)
    }
    return (digest, try JSONDecoder().decode(ImageManifest.self, from: Data(bytes)))
  }
}

struct MediaTypeProbe: Decodable {
  var mediaType: String?
  var manifests: [Descriptor]?
}
