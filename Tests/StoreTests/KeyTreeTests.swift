import SkiffCore
import Testing

@testable import Store

/// The in-memory key tree against a plain sorted model: random puts and deletes across many
/// generations, every copy handed out keeping its contents, ranges and counts agreeing.
@Suite struct KeyTreeTests {
  private static func entry(_ key: [UInt8], _ revision: Int64) -> KeyEntry {
    KeyEntry(KeyValue(key: key, createRevision: revision, modRevision: revision, version: 1), logID: revision)
  }

  /// Keys of one to three bytes from a small alphabet, so that puts hit existing keys and
  /// ranges cut through the middle of leaves.
  private static func key(_ generator: inout SplitMix64) -> [UInt8] {
    (0..<Int.random(in: 1...3, using: &generator)).map { _ in UInt8.random(in: 0...15, using: &generator) }
  }

  private static func check(_ tree: KeyTree, matches model: [[UInt8]: KeyEntry], _ generator: inout SplitMix64) {
    let sorted = model.values.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    var all: [KeyEntry] = []
    tree.forEach(in: .all) { entry in
      all.append(entry)
      return true
    }
    #expect(all == sorted)
    #expect(tree.count == model.count)
    for _ in 0..<20 {
      let a = key(&generator)
      let b = key(&generator)
      let range = b.lexicographicallyPrecedes(a) ? KeyRange(start: b, end: a) : KeyRange(start: a, end: b)
      let expected = sorted.filter { range.contains($0.key) }
      var seen: [KeyEntry] = []
      tree.forEach(in: range) { entry in
        seen.append(entry)
        return true
      }
      #expect(seen == expected)
      #expect(tree.count(in: range) == expected.count)
      #expect(
        tree.count(in: KeyRange(start: a, end: [0])) == sorted.filter { !$0.key.lexicographicallyPrecedes(a) }.count)
      #expect(tree.find(a) == model[a])
      #expect(tree.count(in: .key(a)) == (model[a] == nil ? 0 : 1))
    }
  }

  @Test func editsMatchASortedModelAndOldCopiesStayIntact() {
    var generator = SplitMix64(seed: 42)
    var tree = KeyTree()
    var model: [[UInt8]: KeyEntry] = [:]
    var kept: [(tree: KeyTree, model: [[UInt8]: KeyEntry])] = []
    var revision: Int64 = 0
    for generation in 1...300 {
      // Grow, then shrink, then grow again: splits, merges and emptied leaves all happen.
      let deleting = generation % 100 > 60 ? 0.8 : 0.3
      for _ in 0..<Int.random(in: 1...40, using: &generator) {
        let key = Self.key(&generator)
        revision += 1
        if Double.random(in: 0..<1, using: &generator) < deleting {
          #expect(tree.remove(key, generation: generation) == model.removeValue(forKey: key))
        } else {
          #expect(tree.upsert(Self.entry(key, revision), generation: generation) == model[key])
          model[key] = Self.entry(key, revision)
        }
      }
      if generation % 25 == 0 { kept.append((tree, model)) }
      Self.check(tree, matches: model, &generator)
    }
    for (old, oldModel) in kept { Self.check(old, matches: oldModel, &generator) }
  }

  @Test func bulkBuiltTreeTakesEdits() {
    var generator = SplitMix64(seed: 7)
    var model: [[UInt8]: KeyEntry] = [:]
    for revision in 1...2000 {
      let key = Self.key(&generator)
      model[key] = Self.entry(key, Int64(revision))
    }
    var tree = KeyTree(sorted: model.values.sorted { $0.key.lexicographicallyPrecedes($1.key) })
    let built = tree
    let builtModel = model
    Self.check(tree, matches: model, &generator)
    for key in model.keys.shuffled(using: &generator).prefix(model.count / 2) {
      tree.remove(key, generation: 1)
      model[key] = nil
    }
    Self.check(tree, matches: model, &generator)
    Self.check(built, matches: builtModel, &generator)
  }

  /// Enough keys for inner nodes to split and, emptied again, to merge and collapse.
  @Test func growsDeepAndShrinksToNothing() {
    var generator = SplitMix64(seed: 9)
    var tree = KeyTree()
    var model: [[UInt8]: KeyEntry] = [:]
    for revision in 1...20_000 {
      let key = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
      tree.upsert(Self.entry(key, Int64(revision)), generation: revision / 1000)
      model[key] = Self.entry(key, Int64(revision))
    }
    Self.check(tree, matches: model, &generator)
    let full = tree
    for (index, key) in model.keys.shuffled(using: &generator).enumerated() {
      #expect(tree.remove(key, generation: 100 + index / 1000) != nil)
    }
    #expect(tree.count == 0)
    Self.check(tree, matches: [:], &generator)
    Self.check(full, matches: model, &generator)
  }
}
