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
}
