import Testing

@testable import SkiffNetwork

/// How a table becomes one nft transaction.
@Suite struct NFTTableTests {
  static func sample(chains: [String], affinity: Bool = true) -> NFTTable {
    var table = NFTTable()
    table.set(NFTSet(name: "service-ips", type: "ipv4_addr . inet_proto . inet_service : verdict", isMap: true))
    if affinity { table.set(NFTSet(name: "aff-x", type: "ipv4_addr", flags: ["dynamic", "timeout"], timeout: 60)) }
    table.chain("nat-prerouting", base: .init(type: "nat", hook: "prerouting", priority: "dstnat"))
    for chain in chains { table.add(chain, "return") }
    return table
  }

  @Test func firstSyncReplacesTheWholeTable() {
    let script = Self.sample(chains: ["a"]).script(replacing: nil)
    #expect(script.hasPrefix("table ip skiff {}\ndelete table ip skiff\ntable ip skiff {\n"))
    #expect(
      script.contains("  chain nat-prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n  }"))
    #expect(script.contains("  map service-ips {\n    type ipv4_addr . inet_proto . inet_service : verdict\n  }"))
  }

  @Test func laterSyncsFlushDeleteStaleAndKeepAffinitySets() {
    let old = Self.sample(chains: ["a", "b"])
    let new = Self.sample(chains: ["a"])
    let script = new.script(replacing: old.inventory)
    #expect(
      script.hasPrefix(
        "add table ip skiff\nflush table ip skiff\nflush map ip skiff service-ips\ndelete chain ip skiff b\ntable ip skiff {\n"
      ))
    #expect(!script.contains("flush set ip skiff aff-x"))
    let dropped = Self.sample(chains: ["a"], affinity: false).script(replacing: old.inventory)
    #expect(dropped.contains("delete set ip skiff aff-x\n"))
  }

  @Test func duplicateMapKeysKeepTheFirstValue() {
    var table = Self.sample(chains: [])
    table.addElements("service-ips", ["10.43.0.1 . tcp . 80 : goto a", "10.43.0.1 . tcp . 80 : goto b"])
    #expect(table.sets["service-ips"]?.elements == ["10.43.0.1 . tcp . 80 : goto a"])
    #expect(table.elementCount == 1)
  }

  @Test func anUnchangedTableNeedsNoUpdate() {
    let table = Self.sample(chains: ["a", "b"])
    #expect(table.update(from: table) == "")
  }

  @Test func updatesSendOnlyWhatChangedAndDeleteWhatIsGoneLast() throws {
    var old = Self.sample(chains: ["a", "b"])
    old.addElements("service-ips", ["10.43.0.1 . tcp . 80 : goto a", "10.43.0.2 . tcp . 80 : goto b"])
    var new = Self.sample(chains: ["a"], affinity: false)
    new.add("a", "accept")
    new.add("c", "return")
    new.set(NFTSet(name: "hairpin", type: "ipv4_addr . ipv4_addr", elements: ["10.42.0.5 . 10.42.0.5"]))
    new.addElements("service-ips", ["10.43.0.1 . tcp . 80 : goto c"])
    let script = try #require(new.update(from: old))
    #expect(
      script == """
        add set ip skiff hairpin {
            type ipv4_addr . ipv4_addr
            elements = {
              10.42.0.5 . 10.42.0.5
            }
          }
        add chain ip skiff c
        delete element ip skiff service-ips { 10.43.0.1 . tcp . 80, 10.43.0.2 . tcp . 80 }
        flush chain ip skiff a
        flush chain ip skiff b
        add element ip skiff service-ips { 10.43.0.1 . tcp . 80 : goto c }
        add rule ip skiff a return
        add rule ip skiff a accept
        add rule ip skiff c return
        delete chain ip skiff b
        delete set ip skiff aff-x

        """)
  }

  @Test func aChangedHookOrSetTypeNeedsAWholeTable() {
    let old = Self.sample(chains: [])
    var hook = old
    hook.chains["nat-prerouting"]?.base?.priority = "-90"
    #expect(hook.update(from: old) == nil)
    var type = old
    type.set(NFTSet(name: "service-ips", type: "ipv4_addr : verdict", isMap: true))
    #expect(type.update(from: old) == nil)
  }
}
