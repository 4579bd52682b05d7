/// The whole nftables table skiff owns, as plain values: sets, maps and chains with their rules
/// as nft text. Generators fill it in; `script(replacing:)` turns it into one atomic `nft -f -`
/// transaction. Keeping it a value makes every generator a pure, root-free, unit-testable function.
public struct NFTTable: Sendable, Equatable {
  /// `ip`: the cluster is IPv4-only (pod CIDR 10.42.0.0/16, service CIDR 10.43.0.0/16), so one
  /// `ip` table matches addresses without per-rule `meta nfproto` guards, and its NAT chains work
  /// on kernels older than 5.2, where `inet` tables cannot do NAT.
  public static let family = "ip"
  public static let defaultName = "skiff"

  public var name: String
  public var sets: [String: NFTSet] = [:]
  public var chains: [String: NFTChain] = [:]
  /// Chains in the order they were added, so the rendered script is deterministic and readable.
  private(set) var chainOrder: [String] = []

  public init(name: String = NFTTable.defaultName) {
    self.name = name
  }

  /// Adds a chain unless it exists, so callers can append rules to it.
  public mutating func chain(_ name: String, base: NFTChain.Base? = nil) {
    if chains[name] == nil {
      chains[name] = NFTChain(name: name, base: base)
      chainOrder.append(name)
    }
  }

  /// Appends rules to a chain, creating it as a regular chain if needed.
  public mutating func add(_ chainName: String, _ rules: String...) {
    add(chainName, rules)
  }

  public mutating func add(_ chainName: String, _ rules: [String]) {
    chain(chainName)
    chains[chainName]!.rules += rules
  }

  public mutating func set(_ set: NFTSet) {
    sets[set.name] = set
  }

  /// Appends elements to an existing set or map; a key already present keeps its first value
  /// (nft refuses a transaction that adds one key twice).
  public mutating func addElements(_ setName: String, _ elements: [String]) {
    guard sets[setName] != nil else { return }
    for element in elements where sets[setName]!.keys.insert(NFTSet.key(of: element)).inserted {
      sets[setName]!.elements.append(element)
    }
  }

  /// Rules plus set/map elements: what the kernel has to hold, the figure benchmarks report.
  public var ruleCount: Int { chains.values.reduce(0) { $0 + $1.rules.count } }
  public var elementCount: Int { sets.values.reduce(0) { $0 + $1.elements.count } }

  /// The names of what this table defines, for the next sync to delete what it no longer needs.
  public var inventory: NFTInventory {
    NFTInventory(
      chains: Set(chains.keys),
      sets: Set(sets.values.filter { !$0.isDynamic && !$0.isMap }.map(\.name)),
      maps: Set(sets.values.filter(\.isMap).map(\.name)),
      dynamicSets: Set(sets.values.filter(\.isDynamic).map(\.name)))
  }

  /// One transaction that leaves exactly this table in place.
  ///
  /// Without a previous inventory the table is created empty, deleted and written anew. With
  /// one (what the last successful sync wrote), the table is flushed instead, static sets and
  /// maps are flushed, stale chains and sets deleted, and everything re-added: dynamic sets
  /// (session affinity) keep their members across syncs, which a delete would lose.
  public func script(replacing previous: NFTInventory?) -> String {
    let qualified = "\(Self.family) \(name)"
    var out = ""
    out.reserveCapacity(4096 + (ruleCount + elementCount) * 96)
    if let previous {
      out += "add table \(qualified)\nflush table \(qualified)\n"
      for set in previous.sets.sorted() { out += "flush set \(qualified) \(set)\n" }
      for map in previous.maps.sorted() { out += "flush map \(qualified) \(map)\n" }
      let current = inventory
      for chain in previous.chains.subtracting(current.chains).sorted() {
        out += "delete chain \(qualified) \(chain)\n"
      }
      for map in previous.maps.subtracting(current.maps).sorted() { out += "delete map \(qualified) \(map)\n" }
      for set in previous.sets.union(previous.dynamicSets).sorted()
      where !current.sets.contains(set) && !current.dynamicSets.contains(set) {
        out += "delete set \(qualified) \(set)\n"
      }
      // A static set that became dynamic (or back) must be re-created with its new flags.
      for set in previous.sets.intersection(current.dynamicSets).union(previous.dynamicSets.intersection(current.sets))
        .sorted()
      {
        out += "delete set \(qualified) \(set)\n"
      }
    } else {
      out += "table \(qualified) {}\ndelete table \(qualified)\n"
    }
    out += "table \(qualified) {\n"
    for set in sets.values.sorted(by: { $0.name < $1.name }) { set.render(into: &out) }
    // nft adds every chain and set of a table block before any rule, so order does not matter.
    for name in chainOrder { chains[name]!.render(into: &out) }
    out += "}\n"
    return out
  }
}

/// The object names one sync wrote, so the next one knows what to flush and what to delete.
public struct NFTInventory: Sendable, Equatable {
  public var chains: Set<String>
  /// Static sets: flushed and refilled on every sync.
  public var sets: Set<String>
  /// Maps (verdict maps included): flushed and refilled on every sync.
  public var maps: Set<String>
  /// Sets the kernel fills (session affinity): kept, never flushed while still wanted.
  public var dynamicSets: Set<String>

  public init(chains: Set<String> = [], sets: Set<String> = [], maps: Set<String> = [], dynamicSets: Set<String> = []) {
    self.chains = chains
    self.sets = sets
    self.maps = maps
    self.dynamicSets = dynamicSets
  }
}

/// A named set or map (verdict maps included).
public struct NFTSet: Sendable, Equatable {
  public var name: String
  /// The nft type, e.g. `ipv4_addr . inet_proto . inet_service : verdict`, or a whole
  /// `typeof …` clause for keys no named type describes (numgen's plain integers).
  public var type: String
  public var isMap: Bool
  public var flags: [String]
  /// Timeout in seconds for dynamic sets.
  public var timeout: Int?
  public var elements: [String]
  public var comment: String?
  var keys: Set<String> = []

  public init(
    name: String, type: String, isMap: Bool = false, flags: [String] = [], timeout: Int? = nil,
    elements: [String] = [], comment: String? = nil
  ) {
    self.name = name
    self.type = type
    self.isMap = isMap
    self.flags = flags
    self.timeout = timeout
    self.elements = []
    self.comment = comment
    for element in elements where keys.insert(Self.key(of: element)).inserted { self.elements.append(element) }
  }

  public var isDynamic: Bool { flags.contains("dynamic") }

  /// A map element's key, the part before ` : ` (the whole element of a set). Scans bytes: a
  /// sync runs this for every element, and `split(separator:)` on Characters was most of the
  /// time it took to render a big table.
  static func key(of element: String) -> String {
    var element = element
    return element.withUTF8 { bytes in
      var index = 0
      while index + 2 < bytes.count {
        if bytes[index] == 0x20, bytes[index + 1] == 0x3A, bytes[index + 2] == 0x20 {
          return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<index]), as: UTF8.self)
        }
        index += 1
      }
      return String(decoding: bytes, as: UTF8.self)
    }
  }

  /// Inside a `table` block, or as an `add set|map <family> <table>` command when `table` is given.
  func render(into out: inout String, table: String? = nil) {
    let kind = isMap ? "map" : "set"
    out += table.map { "add \(kind) \($0) \(name) {\n" } ?? "  \(kind) \(name) {\n"
    out += "    \(type.hasPrefix("typeof ") ? "" : "type ")\(type)\n"
    if !flags.isEmpty { out += "    flags \(flags.joined(separator: ","))\n" }
    if let timeout { out += "    timeout \(timeout)s\n" }
    if let comment { out += "    comment \"\(comment)\"\n" }
    if !elements.isEmpty {
      out += "    elements = {\n"
      for (index, element) in elements.enumerated() {
        out += "      "
        out += element
        out += index == elements.count - 1 ? "\n" : ",\n"
      }
      out += "    }\n"
    }
    out += "  }\n"
  }
}

/// A chain: regular (a jump/goto target) or a base chain on a netfilter hook.
public struct NFTChain: Sendable, Equatable {
  public struct Base: Sendable, Equatable {
    public var type: String
    public var hook: String
    public var priority: String

    public init(type: String, hook: String, priority: String) {
      self.type = type
      self.hook = hook
      self.priority = priority
    }
  }

  public var name: String
  public var base: Base?
  public var rules: [String] = []

  public init(name: String, base: Base? = nil, rules: [String] = []) {
    self.name = name
    self.base = base
    self.rules = rules
  }

  func render(into out: inout String) {
    out += "  chain \(name) {\n"
    if let base {
      out += "    type \(base.type) hook \(base.hook) priority \(base.priority); policy accept;\n"
    }
    for rule in rules {
      out += "    "
      out += rule
      out += "\n"
    }
    out += "  }\n"
  }
}
