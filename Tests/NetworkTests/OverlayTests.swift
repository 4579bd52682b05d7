import Foundation
import KubeAPI
import Logging
import SkiffCore
import Testing

@testable import SkiffNetwork

@Suite struct OverlayTests {
  static func configuration(_ backend: NetworkBackend, directory: String = "/nonexistent") -> PodNetworkConfiguration {
    PodNetworkConfiguration(
      backend: backend, clusterCIDR: IPv4CIDR("10.42.0.0/16")!, nodeIP: IPv4Address("192.0.2.1")!,
      directory: directory)
  }

  static let peers = [
    OverlayPeer(
      name: "self", podCIDR: IPv4CIDR("10.42.0.0/24")!, publicIP: IPv4Address("192.0.2.1")!,
      vtepMAC: [2, 1, 1, 1, 1, 1]),
    OverlayPeer(
      name: "b", podCIDR: IPv4CIDR("10.42.1.0/24")!, publicIP: IPv4Address("192.0.2.2")!, vtepMAC: [2, 2, 2, 2, 2, 2]),
    OverlayPeer(
      name: "c", podCIDR: IPv4CIDR("10.42.2.0/24")!, publicIP: IPv4Address("192.0.2.3")!, vtepMAC: [2, 3, 3, 3, 3, 3]),
  ]

  @Test func vxlanProgramsFlannelLayoutAndRemovesDeletedNodes() throws {
    let kernel = OverlayKernelModel()
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-overlay-\(UUID())").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let network = PodNetwork(
      configuration: Self.configuration(.vxlan, directory: root), kernel: kernel, logger: Logger(label: "test"))
    let podCIDR = IPv4CIDR("10.42.0.0/24")!
    let node = try network.prepare(podCIDR: podCIDR)
    #expect(node.mtu == 1450)
    #expect(node.uplink.name == "eth0")
    #expect(kernel.tables.withLock { $0.sysctls["net.ipv4.ip_forward"] } == "1")
    #expect(kernel.tables.withLock { $0.sysctls["net.bridge.bridge-nf-call-iptables"] } == "1")
    #expect(
      kernel.addresses().contains(InterfaceAddress(index: node.bridge.index, address: podCIDR.gateway, prefix: 24)))

    let overlay = Overlay(configuration: network.configuration, kernel: kernel)
    let device = try #require(try overlay.setUp(podCIDR: podCIDR, uplink: node.uplink, mtu: node.mtu))
    #expect(device.name == "skiff.1" && device.mtu == 1450)
    #expect(kernel.addresses().contains(InterfaceAddress(index: device.index, address: podCIDR.network, prefix: 32)))
    #expect(kernel.link(named: "skiff.1")?.isUp == true)

    let changes = try overlay.reconcile(peers: Self.peers, podCIDR: podCIDR, uplink: node.uplink, device: device)
    #expect(changes == Overlay.Changes(added: 6, removed: 0))
    #expect(
      Set(kernel.routeTable) == [
        RouteEntry(
          destination: IPv4CIDR("10.42.1.0/24")!, gateway: IPv4Address("10.42.1.0"), interfaceIndex: device.index,
          onLink: true),
        RouteEntry(
          destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("10.42.2.0"), interfaceIndex: device.index,
          onLink: true),
      ])
    #expect(
      Set(kernel.neighbours(interface: device.index)) == [
        NeighbourEntry(interfaceIndex: device.index, address: IPv4Address("10.42.1.0")!, mac: [2, 2, 2, 2, 2, 2]),
        NeighbourEntry(interfaceIndex: device.index, address: IPv4Address("10.42.2.0")!, mac: [2, 3, 3, 3, 3, 3]),
      ])
    #expect(
      Set(kernel.forwardingEntries(interface: device.index)) == [
        NeighbourEntry(interfaceIndex: device.index, address: IPv4Address("192.0.2.2")!, mac: [2, 2, 2, 2, 2, 2]),
        NeighbourEntry(interfaceIndex: device.index, address: IPv4Address("192.0.2.3")!, mac: [2, 3, 3, 3, 3, 3]),
      ])
    // Level-based: a second pass with nothing new changes nothing.
    #expect(try overlay.reconcile(peers: Self.peers, podCIDR: podCIDR, uplink: node.uplink, device: device) == .init())

    // Node c deleted, node b's VTEP re-created with a new MAC.
    var changed = Array(Self.peers.prefix(2))
    changed[1].vtepMAC = [2, 2, 2, 2, 2, 0x22]
    try overlay.reconcile(peers: changed, podCIDR: podCIDR, uplink: node.uplink, device: device)
    #expect(kernel.routeTable.map(\.destination) == [IPv4CIDR("10.42.1.0/24")!])
    #expect(kernel.neighbours(interface: device.index).map(\.mac) == [[2, 2, 2, 2, 2, 0x22]])
    #expect(kernel.forwardingEntries(interface: device.index).map(\.mac) == [[2, 2, 2, 2, 2, 0x22]])
  }

  @Test func hostGatewayRoutesViaNodeIPsAndReplacesVXLANRoutes() throws {
    let kernel = OverlayKernelModel()
    let podCIDR = IPv4CIDR("10.42.0.0/24")!
    let uplink = try #require(kernel.link(named: "eth0"))
    // Left over from an earlier VXLAN run.
    kernel.replaceRoute(
      RouteEntry(
        destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("10.42.2.0"), interfaceIndex: 77, onLink: true))
    // Not ours: outside the cluster CIDR.
    let foreign = RouteEntry(
      destination: IPv4CIDR("172.16.0.0/16")!, gateway: IPv4Address("192.0.2.254"), interfaceIndex: 2)
    kernel.replaceRoute(foreign)
    let overlay = Overlay(configuration: Self.configuration(.hostGW), kernel: kernel)
    #expect(try overlay.setUp(podCIDR: podCIDR, uplink: uplink, mtu: 1500) == nil)
    try overlay.reconcile(peers: Self.peers, podCIDR: podCIDR, uplink: uplink, device: nil)
    #expect(
      Set(kernel.routeTable) == [
        foreign,
        RouteEntry(destination: IPv4CIDR("10.42.1.0/24")!, gateway: IPv4Address("192.0.2.2"), interfaceIndex: 2),
        RouteEntry(destination: IPv4CIDR("10.42.2.0/24")!, gateway: IPv4Address("192.0.2.3"), interfaceIndex: 2),
      ])
  }

  @Test func peersComeFromNodeObjects() {
    let node: JSONValue = [
      "metadata": [
        "name": "edge-2",
        "annotations": ["skiff.io/vxlan-mac": "02:aa:bb:cc:dd:ee", "skiff.io/public-ip": "198.51.100.7"],
      ],
      "spec": ["podCIDR": "10.42.5.0/24"],
      "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.7"]]],
    ]
    let peer = OverlayPeer(node: node, backend: .vxlan)
    #expect(peer?.publicIP.description == "198.51.100.7")
    #expect(peer?.vtepMAC?.macText == "02:aa:bb:cc:dd:ee")
    #expect(peer?.podCIDR.description == "10.42.5.0/24")
    let bare: JSONValue = [
      "metadata": ["name": "edge-3"], "spec": ["podCIDR": "10.42.6.0/24"],
      "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.8"]]],
    ]
    #expect(OverlayPeer(node: bare, backend: .vxlan) == nil)
    #expect(OverlayPeer(node: bare, backend: .hostGW)?.publicIP.description == "10.0.0.8")
    let annotations = OverlayPeer.annotations(
      backend: .vxlan, publicIP: IPv4Address("10.0.0.1")!, vtepMAC: [2, 0, 0, 0, 0, 1])
    #expect(
      annotations == [
        "skiff.io/backend": "vxlan", "skiff.io/public-ip": "10.0.0.1", "skiff.io/vxlan-mac": "02:00:00:00:00:01",
      ])
  }

  @Test func removeAllLeavesNothing() throws {
    let kernel = OverlayKernelModel()
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-overlay-\(UUID())").path
    let network = PodNetwork(
      configuration: Self.configuration(.vxlan, directory: root), kernel: kernel, logger: Logger(label: "test"))
    let podCIDR = IPv4CIDR("10.42.0.0/24")!
    let node = try network.prepare(podCIDR: podCIDR)
    let overlay = Overlay(configuration: network.configuration, kernel: kernel)
    let device = try overlay.setUp(podCIDR: podCIDR, uplink: node.uplink, mtu: node.mtu)
    try overlay.reconcile(peers: Self.peers, podCIDR: podCIDR, uplink: node.uplink, device: device)
    let (address, _) = try network.attach(podUID: "pod-1", networkNamespace: "/proc/self/ns/net")
    #expect(address.description == "10.42.0.2")
    #expect(network.isAttached(podUID: "pod-1"))
    #expect(FileManager.default.fileExists(atPath: "\(root)/ipam/10.42.0.0_24/10.42.0.2"))
    try network.removeAll()
    #expect(kernel.links().map(\.name) == ["eth0"])
    #expect(kernel.routeTable.isEmpty)
    #expect(!FileManager.default.fileExists(atPath: root))
    #expect(network.node == nil)
  }
}
