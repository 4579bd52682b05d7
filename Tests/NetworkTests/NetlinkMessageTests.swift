import SkiffCore
import Testing

@testable import SkiffNetwork

@Suite struct NetlinkMessageTests {
  @Test func addressesAndRangesParse() throws {
    let cidr = try #require(IPv4CIDR("10.42.3.77/24"))
    #expect(cidr.description == "10.42.3.0/24")
    #expect(cidr.gateway.description == "10.42.3.1")
    #expect(cidr.broadcast.description == "10.42.3.255")
    #expect(try #require(IPv4CIDR("10.42.0.0/16")).contains(cidr))
    #expect(!cidr.contains(try #require(IPv4CIDR("10.42.0.0/16"))))
    #expect(IPv4Address("10.42.256.1") == nil)
    #expect(IPv4Address("10.42.1") == nil)
    #expect(IPv4Address(bytes: [192, 168, 1, 2])?.description == "192.168.1.2")
    #expect([UInt8](macText: "0a:1b:2c:3d:4e:5f")?.macText == "0a:1b:2c:3d:4e:5f")
    #expect([UInt8](macText: "0a:1b:2c") == nil)
  }

  @Test func requestsEncodeHeaderAttributesAndNesting() {
    var message = NetlinkMessage(type: Netlink.newLink, flags: Netlink.create)
    message.linkHeader(index: 7, flags: Netlink.interfaceUp, change: Netlink.interfaceUp)
    message.attribute(Netlink.linkName, string: "skiff0")
    message.nested(Netlink.linkInfo) { $0.attribute(Netlink.infoKind, string: "bridge") }
    let bytes = message.encoded(sequence: 9)
    #expect(bytes.count % 4 == 0)
    #expect(bytes.readLittle(UInt32.self, at: 0) == UInt32(bytes.count))
    #expect(bytes.readLittle(UInt16.self, at: 4) == 16)
    #expect(bytes.readLittle(UInt16.self, at: 6) == Netlink.create | Netlink.request)
    #expect(bytes.readLittle(UInt32.self, at: 8) == 9)
    #expect(bytes.readLittle(UInt32.self, at: 20) == 7)  // ifi_index after family, pad, type
    let attributes = NetlinkAttributes(bytes[32...])
    #expect(attributes.string(Netlink.linkName) == "skiff0")
    // "skiff0\0" is 7 bytes: 4 + 7 = 11, padded to 12 before the next attribute.
    #expect(bytes.readLittle(UInt16.self, at: 32) == 11)
    #expect(bytes.readLittle(UInt16.self, at: 46) == Netlink.linkInfo | Netlink.nestedFlag)
    let info = NetlinkAttributes(attributes[Netlink.linkInfo] ?? [])
    #expect(info.string(Netlink.infoKind) == "bridge")
  }

  @Test func routeAndNeighbourMessagesCarryTheirFields() throws {
    let route = RouteEntry(
      destination: try #require(IPv4CIDR("10.42.1.0/24")), gateway: IPv4Address("10.42.1.0"), interfaceIndex: 5,
      onLink: true)
    let message = NetlinkKernel.routeMessage(route, type: Netlink.newRoute, flags: Netlink.create | Netlink.replace)
    let payload = message.payload
    #expect(payload[1] == 24)  // rtm_dst_len
    #expect(payload[4] == Netlink.tableMain)
    #expect(payload.readLittle(UInt32.self, at: 8) == Netlink.flagOnLink)
    let attributes = NetlinkAttributes(payload[12...])
    #expect(attributes.ipv4(Netlink.routeDestination)?.description == "10.42.1.0")
    #expect(attributes.ipv4(Netlink.routeGateway)?.description == "10.42.1.0")
    #expect(attributes.u32(Netlink.routeOutput) == 5)

    let fdb = NeighbourEntry(
      interfaceIndex: 5, address: try #require(IPv4Address("192.0.2.9")), mac: [2, 0, 0, 0, 0, 9])
    let neighbour = NetlinkKernel.neighbourMessage(
      fdb, family: Netlink.afBridge, type: Netlink.newNeighbour, flags: Netlink.create)
    #expect(neighbour.payload[0] == Netlink.afBridge)
    #expect(neighbour.payload.readLittle(UInt16.self, at: 8) == Netlink.statePermanent)
    #expect(neighbour.payload[10] == Netlink.flagSelf)
    let entry = NetlinkAttributes(neighbour.payload[12...])
    #expect(entry[Netlink.neighbourLinkAddress].map(Array.init) == [2, 0, 0, 0, 0, 9])
  }

  @Test func configurationRejectsBadValuesWithTheirName() throws {
    #expect(throws: NetworkError.self) {
      try PodNetworkConfiguration(backend: "flannel", clusterCIDR: "10.42.0.0/16", nodeIP: "10.0.0.1", directory: "/x")
    }
    #expect(throws: NetworkError.self) {
      try PodNetworkConfiguration(backend: "vxlan", clusterCIDR: "10.42.0.0/25", nodeIP: "10.0.0.1", directory: "/x")
    }
    let none = try PodNetworkConfiguration(backend: "none", clusterCIDR: "10.42.0.0/16", nodeIP: "::1", directory: "/x")
    #expect(none.backend == .none)
    let name = PodNetworkConfiguration.hostInterfaceName(podUID: "0f6f1c1e-2b8e-4a43-9d47-6a1f1d2f7b51")
    #expect(name.count == 15 && name.hasPrefix("skv"))
    #expect(name != PodNetworkConfiguration.hostInterfaceName(podUID: "another"))
  }
}
