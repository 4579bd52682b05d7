import Foundation
import Glibc

extension ImageStore {
  /// Deletes snapshots and blobs no named image refers to (and no running container uses).
  @discardableResult
  public func prune(keepingSnapshots inUse: Set<Digest>) -> (snapshots: Int, blobs: Int) {
    let records = list()
    // Blobs and snapshots of pulls still in progress are pinned until the image is recorded.
    let pinned = pulls.pinned
    var keepSnapshots = inUse.union(pinned)
    var keepBlobs = pinned
    for record in records {
      keepSnapshots.formUnion(record.chainIDs)
      keepBlobs.insert(record.manifestDigest)
      keepBlobs.insert(record.configDigest)
      if let (_, manifest) = try? manifest(for: record.manifestDigest, mediaType: nil) {
        keepBlobs.formUnion(manifest.layers.map(\.digest))
      }
    }
    // Indexes that led to a kept manifest stay too (a pull by tag records the index digest as well).
    for digest in content.all() where !keepBlobs.contains(digest) {
      if let bytes = try? content.read(digest), bytes.count < 1 << 20,
        let index = try? JSONDecoder().decode(ImageIndex.self, from: Data(bytes)),
        index.manifests.contains(where: { keepBlobs.contains($0.digest) })
      {
        keepBlobs.insert(digest)
      }
    }
    var removedSnapshots = 0
    for chainID in snapshots.all() where !keepSnapshots.contains(chainID) {
      if (try? snapshots.remove(chainID)) != nil { removedSnapshots += 1 }
    }
    var removedBlobs = 0
    for digest in content.all() where !keepBlobs.contains(digest) {
      content.remove(digest)
      removedBlobs += 1
    }
    removeAbandonedStaging()
    return (removedSnapshots, removedBlobs)
  }

  /// Partial downloads (`.ingest-<pid>-…`) and unpacks (`.unpack-<chain>-<pid>-…`) left by a
  /// process that died mid-pull; those of live processes are still being written.
  func removeAbandonedStaging() {
    let places = [("\(content.root)/blobs/sha256", ".ingest-", 0), (snapshots.directory, ".unpack-", 1)]
    for (directory, prefix, pidField) in places {
      for name in FileSystem.list(directory) where name.hasPrefix(prefix) {
        let fields = name.dropFirst(prefix.count).split(separator: "-")
        guard fields.count > pidField, let pid = Int32(fields[pidField]) else { continue }
        if kill(pid, 0) == 0 || errno != ESRCH { continue }
        try? FileSystem.removeTree("\(directory)/\(name)")
      }
    }
  }

  /// Percentage of the images filesystem in use.
  public func diskUsagePercent() -> Int {
    var info = statvfs()
    guard statvfs(root, &info) == 0, info.f_blocks > 0 else { return 0 }
    return Int(100 - (UInt64(info.f_bavail) * 100 / UInt64(info.f_blocks)))
  }

  /// The kubelet's image garbage collection: above `highPercent` disk use, removes images
  /// no container uses, least recently used first, until below `lowPercent`.
  @discardableResult
  public func garbageCollect(
    imagesInUse: Set<String>, snapshotsInUse: Set<Digest>, highPercent: Int = 85, lowPercent: Int = 80,
    usage: () -> Int
  ) -> [String] {
    guard usage() >= highPercent else { return [] }
    var removed: [String] = []
    let candidates = list().filter {
      !imagesInUse.contains($0.name) && !imagesInUse.contains($0.configDigest.description)
    }
    for record in candidates.sorted(by: { $0.lastUsed < $1.lastUsed }) {
      if usage() < lowPercent { break }
      try? withRecords { records in records[record.name] = nil }
      // Content goes only when no other name shares it.
      prune(keepingSnapshots: snapshotsInUse)
      removed.append(record.name)
    }
    return removed
  }
}

extension ContainerRuntime {
  /// Snapshot chains used by containers that exist (running or not).
  public func snapshotsInUse() -> Set<Digest> {
    var result = Set<Digest>()
    for id in FileSystem.list("\(root)/containers") {
      guard let record = try? loadRecord(id), let image = try? images.resolve(record.imageID.description) else {
        continue
      }
      result.formUnion(image.record.chainIDs)
    }
    return result
  }

  /// Image names and IDs used by existing containers.
  public func imagesInUse() -> Set<String> {
    var result = Set<String>()
    for id in FileSystem.list("\(root)/containers") {
      guard let record = try? loadRecord(id) else { continue }
      result.insert(record.imageName)
      result.insert(record.imageID.description)
    }
    return result
  }
}
