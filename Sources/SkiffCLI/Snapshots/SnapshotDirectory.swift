import Foundation
import Store

/// The snapshots of one server's embedded datastore, K3s-style names included:
/// `<prefix>-<node>-<unix time>` in `<data-dir>/server/db/snapshots/`, where the prefix is
/// `on-demand` for `skiff etcd-snapshot save` and `etcd-snapshot` for scheduled ones.
struct SnapshotDirectory {
  let dataDir: String
  let directory: String
  let node: String

  init(dataDir: String, directory: String? = nil, node: String = ProcessInfo.processInfo.hostName) {
    self.dataDir = dataDir
    self.directory = directory ?? "\(dataDir)/server/db/snapshots"
    self.node = node
  }

  var database: String { "\(dataDir)/server/db/state.db" }

  struct Entry: Equatable {
    var name: String
    var path: String
    var size: Int64
    var created: Date
  }

  /// Takes a snapshot now; returns it and what it holds.
  func save(prefix: String, now: Date = Date()) throws -> (Entry, SQLiteSnapshot.Info) {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let name = "\(prefix)-\(node)-\(Int64(now.timeIntervalSince1970))"
    let path = "\(directory)/\(name)"
    let info = try SQLiteSnapshot.save(database: database, to: path)
    guard let entry = try list().first(where: { $0.name == name }) else {
      throw SnapshotFailure(description: "snapshot \(path) vanished after it was written")
    }
    return (entry, info)
  }

  /// Every snapshot, oldest first.
  func list() throws -> [Entry] {
    guard FileManager.default.fileExists(atPath: directory) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: directory).compactMap { name -> Entry? in
      let path = "\(directory)/\(name)"
      let attributes = try FileManager.default.attributesOfItem(atPath: path)
      guard attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
      return Entry(
        name: name, path: path, size: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
        created: attributes[.modificationDate] as? Date ?? .distantPast)
    }.sorted { ($0.created, $0.name) < ($1.created, $1.name) }
  }

  /// Removes the named snapshots; unknown names are an error before anything is removed.
  func delete(_ names: [String]) throws {
    let known = Set(try list().map(\.name))
    let unknown = names.filter { !known.contains($0) }
    guard unknown.isEmpty else {
      throw SnapshotFailure(description: "no snapshot named \(unknown.joined(separator: ", ")) in \(directory)")
    }
    for name in names { try FileManager.default.removeItem(atPath: "\(directory)/\(name)") }
  }

  /// Keeps the newest `retention` snapshots of this node with `prefix`; returns the removed ones.
  @discardableResult
  func prune(prefix: String, retention: Int) throws -> [String] {
    let mine = try list().filter { $0.name.hasPrefix("\(prefix)-\(node)-") }
    let doomed = mine.dropLast(max(retention, 0)).map(\.name)
    try delete(doomed)
    return doomed
  }
}

/// A snapshot command failed; printed without usage text.
struct SnapshotFailure: Error, CustomStringConvertible {
  let description: String
}
