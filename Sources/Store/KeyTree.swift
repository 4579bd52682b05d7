import Foundation

/// The current version of one key as the in-memory index holds it: everything but the value,
/// which stays in its log row.
struct KeyEntry: Sendable, Equatable {
  var key: [UInt8]
  var logID: Int64
  var createRevision: Int64
  var modRevision: Int64
  var version: Int64
  var lease: Int64

  init(_ kv: KeyValue, logID: Int64) {
    self.key = kv.key
    self.logID = logID
    self.createRevision = kv.createRevision
    self.modRevision = kv.modRevision
    self.version = kv.version
    self.lease = kv.lease
  }

  func keyValue(value: [UInt8] = []) -> KeyValue {
    KeyValue(
      key: key, value: value, createRevision: createRevision, modRevision: modRevision, version: version,
      lease: lease)
  }
}

/// An ordered map from key to `KeyEntry` whose copies share structure: a B+tree whose nodes do
/// not change once a copy of the tree has been handed out, so every reader keeps the version it
/// started with while the writer edits the next (path copying). Nodes made within one edit,
/// marked with its `generation`, are changed in place; a copy handed out must be followed by a
/// new generation. Each node counts the entries below it, so counting a range costs a descent.
struct KeyTree: @unchecked Sendable {
  private final class Node {
    /// The edit that made this node; only that edit may change it.
    let generation: Int
    /// A leaf's entries, in key order.
    var entries: [KeyEntry]
    /// An inner node's children; empty in a leaf.
    var children: [Node]
    /// A lower bound for the keys of each child: child `i` holds keys in `lows[i] ..< lows[i + 1]`.
    var lows: [[UInt8]]
    /// Entries in this subtree.
    var count: Int

    init(generation: Int, entries: [KeyEntry] = [], children: [Node] = [], lows: [[UInt8]] = []) {
      self.generation = generation
      self.entries = entries
      self.children = children
      self.lows = lows
      self.count = children.isEmpty ? entries.count : children.reduce(0) { $0 + $1.count }
    }

    var isLeaf: Bool { children.isEmpty }
    var width: Int { isLeaf ? entries.count : children.count }
    var low: [UInt8] { isLeaf ? entries.first?.key ?? [] : lows[0] }

    func owned(by generation: Int) -> Node {
      guard self.generation != generation else { return self }
      return Node(generation: generation, entries: entries, children: children, lows: lows)
    }

    /// Where `key` is or would go among a leaf's entries.
    func search(_ key: [UInt8]) -> (index: Int, found: Bool) {
      var low = 0
      var high = entries.count
      while low < high {
        let middle = (low + high) / 2
        let order = KeyTree.compare(entries[middle].key, key)
        if order == 0 { return (middle, true) }
        if order < 0 { low = middle + 1 } else { high = middle }
      }
      return (low, false)
    }

    /// The child whose keys would include `key`.
    func child(for key: [UInt8]) -> Int {
      var low = 1
      var high = lows.count
      while low < high {
        let middle = (low + high) / 2
        if KeyTree.compare(lows[middle], key) <= 0 { low = middle + 1 } else { high = middle }
      }
      return low - 1
    }
  }

  /// Entries per leaf and children per inner node before a node splits.
  static let fanout = 64
  private var root: Node

  init() {
    root = Node(generation: 0)
  }

  /// A tree of `sorted` (in key order, each key once), filling nodes to three quarters.
  init(sorted: [KeyEntry]) {
    let fill = Self.fanout * 3 / 4
    var level = stride(from: 0, to: sorted.count, by: fill).map {
      Node(generation: 0, entries: Array(sorted[$0..<min($0 + fill, sorted.count)]))
    }
    while level.count > 1 {
      level = stride(from: 0, to: level.count, by: fill).map {
        let children = Array(level[$0..<min($0 + fill, level.count)])
        return Node(generation: 0, children: children, lows: children.map(\.low))
      }
    }
    root = level.first ?? Node(generation: 0)
  }

  var count: Int { root.count }

  func find(_ key: [UInt8]) -> KeyEntry? {
    var node = root
    while !node.isLeaf { node = node.children[node.child(for: key)] }
    let (index, found) = node.search(key)
    return found ? node.entries[index] : nil
  }

  /// How many keys `range` holds.
  func count(in range: KeyRange) -> Int {
    if range.isSingleKey { return find(range.start) == nil ? 0 : 1 }
    let below = rank(range.start)
    return max(0, (range.isOpenEnded ? count : rank(range.end)) - below)
  }

  /// The number of keys before `key`.
  private func rank(_ key: [UInt8]) -> Int {
    var node = root
    var rank = 0
    while !node.isLeaf {
      let index = node.child(for: key)
      for child in node.children[..<index] { rank += child.count }
      node = node.children[index]
    }
    return rank + node.search(key).index
  }

  /// Hands the entries of `range` to `body` in key order until it returns false.
  func forEach(in range: KeyRange, _ body: (KeyEntry) throws -> Bool) rethrows {
    if range.isSingleKey {
      if let entry = find(range.start) { _ = try body(entry) }
      return
    }
    _ = try Self.visit(root, from: range.start) { entry in
      guard range.isOpenEnded || Self.compare(entry.key, range.end) < 0 else { return false }
      return try body(entry)
    }
  }

  /// Visits `node`'s entries from `start` on (all of them when nil); false once `body` stopped.
  private static func visit(_ node: Node, from start: [UInt8]?, _ body: (KeyEntry) throws -> Bool) rethrows -> Bool {
    if node.isLeaf {
      for entry in node.entries[(start.map { node.search($0).index } ?? 0)...] where try !body(entry) {
        return false
      }
      return true
    }
    let first = start.map { node.child(for: $0) } ?? 0
    for index in first..<node.children.count {
      guard try visit(node.children[index], from: index == first ? start : nil, body) else { return false }
    }
    return true
  }

  /// Adds or replaces `entry`, copying the nodes on its path that an older generation made;
  /// returns the entry it replaced.
  @discardableResult
  mutating func upsert(_ entry: KeyEntry, generation: Int) -> KeyEntry? {
    root = root.owned(by: generation)
    var replaced: KeyEntry?
    if let right = Self.insert(entry, into: root, generation: generation, replaced: &replaced) {
      root = Node(generation: generation, children: [root, right], lows: [root.low, right.low])
    }
    return replaced
  }

  /// Inserts into `node`, which this generation owns; returns the node split off to its right.
  private static func insert(
    _ entry: KeyEntry, into node: Node, generation: Int, replaced: inout KeyEntry?
  ) -> Node? {
    if node.isLeaf {
      let (index, found) = node.search(entry.key)
      if found {
        replaced = node.entries[index]
        node.entries[index] = entry
        return nil
      }
      node.entries.insert(entry, at: index)
      node.count += 1
      guard node.entries.count > fanout else { return nil }
      let right = Node(generation: generation, entries: Array(node.entries[(fanout / 2)...]))
      node.entries.removeSubrange((fanout / 2)...)
      node.count = node.entries.count
      return right
    }
    let index = node.child(for: entry.key)
    let child = node.children[index].owned(by: generation)
    node.children[index] = child
    let before = child.count
    let split = insert(entry, into: child, generation: generation, replaced: &replaced)
    node.count += child.count - before + (split?.count ?? 0)
    guard let split else { return nil }
    node.children.insert(split, at: index + 1)
    node.lows.insert(split.low, at: index + 1)
    guard node.children.count > fanout else { return nil }
    let right = Node(
      generation: generation, children: Array(node.children[(fanout / 2)...]), lows: Array(node.lows[(fanout / 2)...]))
    node.children.removeSubrange((fanout / 2)...)
    node.lows.removeSubrange((fanout / 2)...)
    node.count -= right.count
    return right
  }

  /// Removes `key` if present; returns its entry.
  @discardableResult
  mutating func remove(_ key: [UInt8], generation: Int) -> KeyEntry? {
    guard let entry = find(key) else { return nil }
    root = root.owned(by: generation)
    Self.remove(key, from: root, generation: generation)
    while root.children.count == 1 { root = root.children[0] }
    return entry
  }

  /// Removes `key`, which is present, from `node`, which this generation owns. A child left
  /// empty is dropped and one left small is merged into a neighbour, so the tree stays shallow
  /// after mass deletes.
  private static func remove(_ key: [UInt8], from node: Node, generation: Int) {
    node.count -= 1
    if node.isLeaf {
      node.entries.remove(at: node.search(key).index)
      return
    }
    let index = node.child(for: key)
    let child = node.children[index].owned(by: generation)
    node.children[index] = child
    remove(key, from: child, generation: generation)
    if child.count == 0 {
      node.children.remove(at: index)
      node.lows.remove(at: index)
      return
    }
    guard child.width < fanout / 4, node.children.count > 1 else { return }
    let left = index + 1 < node.children.count ? index : index - 1
    let right = node.children[left + 1]
    guard node.children[left].width + right.width <= fanout else { return }
    let merged = node.children[left].owned(by: generation)
    merged.entries += right.entries
    merged.children += right.children
    // The right node's own first bound may be above keys the parent sends it; the parent's is not.
    if !right.isLeaf { merged.lows += [node.lows[left + 1]] + right.lows.dropFirst() }
    merged.count += right.count
    node.children[left] = merged
    node.children.remove(at: left + 1)
    node.lows.remove(at: left + 1)
  }

  /// Byte-wise order, as etcd sorts keys.
  static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        let common = min(a.count, b.count)
        if common > 0, let x = a.baseAddress, let y = b.baseAddress {
          let order = memcmp(x, y, common)
          if order != 0 { return Int(order) }
        }
        return a.count - b.count
      }
    }
  }
}
