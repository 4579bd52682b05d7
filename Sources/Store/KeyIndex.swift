import DequeModule
import NIOConcurrencyHelpers

/// The current keys of a database only this process writes (SQLite), in memory, as etcd keeps
/// them: a put then writes its log row and nothing else, where a table of keys ordered by key
/// rewrote one random page per put, in the WAL and again at each checkpoint. The index is
/// derived from the log, which holds the newest row of every key, and is rebuilt from it at start.
///
/// Each revision the writer commits has its own version of the tree, so a reader takes the one
/// matching the revision its database snapshot sees. The writer stages the new version before
/// COMMIT and publishes it after, so every committed revision has its tree.
final class KeyIndex: Sendable {
  private struct State {
    /// The newest versions, oldest first.
    var versions: Deque<(revision: Int64, tree: KeyTree)>
    var staged: (revision: Int64, tree: KeyTree)?
    var generation = 0
  }

  private let state: NIOLockedValueBox<State>
  /// Versions kept for readers whose snapshot began just before newer commits.
  static let kept = 16

  init(tree: KeyTree, revision: Int64) {
    state = NIOLockedValueBox(State(versions: [(revision, tree)]))
  }

  /// Builds the index from the log, as of the revision `connection`'s transaction sees: each
  /// key's newest row, unless it is a tombstone. In SQLite a bare column next to MAX(), in the
  /// result and in HAVING, comes from the row holding the maximum.
  static func load(_ connection: SQLConnection, revision: Int64) throws -> KeyIndex {
    let entries = try connection.query("\(currentRows) ORDER BY key", []) { row in
      KeyEntry(
        KeyValue(
          key: row.bytes(0), createRevision: row.int(2), modRevision: row.int(3), version: row.int(4),
          lease: row.int(5)),
        logID: row.int(1))
    }
    return KeyIndex(tree: KeyTree(sorted: entries), revision: revision)
  }

  /// The log row of each current key (its newest, unless a tombstone): key, row id, create and
  /// mod revision, version, lease.
  static let currentRows = """
    SELECT key, MAX(id), create_rev, rev, version, lease FROM skiff_revlog GROUP BY key HAVING deleted = 0
    """

  /// Keys in the newest version.
  var count: Int { state.withLockedValue { $0.versions.last!.tree.count } }

  /// The tree as of `revision`, staged or committed; nil when it is no longer kept.
  func tree(at revision: Int64) -> KeyTree? {
    state.withLockedValue { state in
      if let staged = state.staged, staged.revision == revision { return staged.tree }
      return state.versions.last { $0.revision == revision }?.tree
    }
  }

  /// A draft of the next version for the writer's batch: the newest tree, edited under a
  /// generation of its own.
  func draft() -> CurrentKeys {
    state.withLockedValue { state in
      state.generation += 1
      return CurrentKeys(tree: state.versions.last!.tree, generation: state.generation)
    }
  }

  /// Makes `draft` the version of `revision` for readers, before its COMMIT.
  func stage(_ draft: CurrentKeys, revision: Int64) {
    state.withLockedValue { $0.staged = (revision, draft.tree) }
  }

  /// The staged version committed: it becomes the newest.
  func publishStaged() {
    state.withLockedValue { state in
      guard let staged = state.staged else { return }
      state.versions.append(staged)
      state.staged = nil
      if state.versions.count > Self.kept { state.versions.removeFirst() }
    }
  }

  /// The staged version rolled back.
  func dropStaged() {
    state.withLockedValue { $0.staged = nil }
  }
}

/// The key tree one session reads and, in the writer, edits.
final class CurrentKeys {
  private(set) var tree: KeyTree
  /// The writer's edit; nil for a reader's view, which never edits.
  private let generation: Int?

  init(tree: KeyTree, generation: Int? = nil) {
    self.tree = tree
    self.generation = generation
  }

  @discardableResult
  func upsert(_ entry: KeyEntry) -> KeyEntry? {
    tree.upsert(entry, generation: generation!)
  }

  @discardableResult
  func remove(_ key: [UInt8]) -> KeyEntry? {
    tree.remove(key, generation: generation!)
  }
}
