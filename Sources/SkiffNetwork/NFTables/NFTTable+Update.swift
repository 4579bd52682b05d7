extension NFTTable {
  /// One transaction that turns `previous` (what the kernel holds, as the last sync wrote it)
  /// into this table by touching only what differs: new sets and chains are added, changed
  /// chains flushed and refilled, set and map elements added and deleted one by one, and what
  /// is gone deleted last, once nothing refers to it. A Service that changed costs a few
  /// commands instead of the whole table; dynamic sets (session affinity) keep their members.
  ///
  /// Returns nil when the two tables differ in what an update cannot change in place (a base
  /// chain's hook, a set's type or flags); the caller then replaces the whole table.
  public func update(from previous: NFTTable) -> String? {
    guard previous.name == name else { return nil }
    for (name, chain) in chains where chain.base != nil || previous.chains[name]?.base != nil {
      if let old = previous.chains[name], old.base != chain.base { return nil }
    }
    for (name, set) in sets {
      if let old = previous.sets[name], !old.isSameKind(as: set) { return nil }
    }

    let qualified = "\(Self.family) \(self.name)"
    var declare = ""
    var remove = ""
    var add = ""
    var drop = ""
    for set in sets.values.sorted(by: { $0.name < $1.name }) {
      guard let old = previous.sets[set.name] else {
        set.render(into: &declare, table: qualified)
        continue
      }
      let (gone, new) = set.elementChanges(from: old)
      if !gone.isEmpty {
        remove += "delete element \(qualified) \(set.name) { \(gone.joined(separator: ", ")) }\n"
      }
      if !new.isEmpty { add += "add element \(qualified) \(set.name) { \(new.joined(separator: ", ")) }\n" }
    }
    for name in chainOrder {
      let chain = chains[name]!
      if let old = previous.chains[name] {
        guard old.rules != chain.rules else { continue }
        remove += "flush chain \(qualified) \(name)\n"
      } else {
        declare += "add chain \(qualified) \(name)\n"
      }
      for rule in chain.rules { add += "add rule \(qualified) \(name) \(rule)\n" }
    }
    for name in previous.chainOrder where chains[name] == nil {
      // Emptied first: chains that are going away may still jump to each other.
      remove += "flush chain \(qualified) \(name)\n"
      drop += "delete chain \(qualified) \(name)\n"
    }
    for set in previous.sets.values.sorted(by: { $0.name < $1.name }) where sets[set.name] == nil {
      drop += "delete \(set.isMap ? "map" : "set") \(qualified) \(set.name)\n"
    }
    return declare + remove + add + drop
  }
}

extension NFTSet {
  /// Same type, flags and timeout: an update can keep the kernel's set and edit its elements.
  func isSameKind(as other: NFTSet) -> Bool {
    type == other.type && isMap == other.isMap && flags == other.flags && timeout == other.timeout
  }

  /// Keys to delete (gone, or mapped to a new value) and elements to add.
  func elementChanges(from old: NFTSet) -> (delete: [String], add: [String]) {
    guard !isDynamic else { return ([], []) }
    let current = Set(elements)
    let before = Set(old.elements)
    let added = elements.filter { !before.contains($0) }
    let removed = old.elements.filter { !current.contains($0) }.map(NFTSet.key(of:))
    return (removed, added)
  }
}
