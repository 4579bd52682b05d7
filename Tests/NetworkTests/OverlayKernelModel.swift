import SkiffCore
import Synchronization

@testable import SkiffNetwork

/// An in-memory model of the kernel tables the overlay touches (links, addresses, routes,
/// neighbours, forwarding entries), recording every change, for tests without root.
final class OverlayKernelModel: NetworkKernel {
  struct Tables {
    var links: [LinkInfo] = []
    var addresses: [InterfaceAddress] = []
    var routes: [RouteEntry] = []
    var neighbours: [NeighbourEntry] = []
    var forwarding: [NeighbourEntry] = []
    var sysctls: [String: String] = [:]
    var changes: [String] = []
    var nextIndex: Int32 = 10
  }

  let tables = Mutex(Tables())

  init(uplink: String = "eth0", address: String = "192.0.2.1", mtu: Int = 1500) {
    tables.withLock {
      $0.links = [LinkInfo(index: 2, name: uplink, mtu: mtu, mac: [2, 0, 0, 0, 0, 1], isUp: true)]
      $0.addresses = [InterfaceAddress(index: 2, address: IPv4Address(address)!, prefix: 24)]
    }
  }

  var changes: [String] { tables.withLock { $0.changes } }
  var routeTable: [RouteEntry] { tables.withLock { $0.routes } }

  func links() -> [LinkInfo] { tables.withLock { $0.links } }
  func link(named name: String) -> LinkInfo? { tables.withLock { $0.links.first { $0.name == name } } }

  private func addLink(_ name: String, mtu: Int, up: Bool) throws(NetworkError) {
    try tables.withLock { tables throws(NetworkError) in
      guard !tables.links.contains(where: { $0.name == name }) else { throw NetworkError(.kernel, "File exists") }
      tables.nextIndex += 1
      let index = tables.nextIndex
      tables.links.append(LinkInfo(index: index, name: name, mtu: mtu, mac: [2, 0, 0, 0, 1, UInt8(index)], isUp: up))
      tables.changes.append("link add \(name)")
    }
  }

  func createBridge(name: String, mtu: Int) throws(NetworkError) { try addLink(name, mtu: mtu, up: true) }

  func createVXLAN(name: String, vni: UInt32, port: UInt16, local: IPv4Address, uplink: Int32, mtu: Int)
    throws(NetworkError)
  {
    try addLink(name, mtu: mtu, up: false)
  }

  func setUp(_ index: Int32) {
    tables.withLock { tables in
      for position in tables.links.indices where tables.links[position].index == index {
        tables.links[position].isUp = true
      }
    }
  }

  func setMTU(_ index: Int32, _ mtu: Int) {
    tables.withLock { tables in
      for position in tables.links.indices where tables.links[position].index == index {
        tables.links[position].mtu = mtu
      }
    }
  }

  func deleteLink(named name: String) {
    tables.withLock { tables in
      guard let link = tables.links.first(where: { $0.name == name }) else { return }
      tables.links.removeAll { $0.index == link.index }
      // As the kernel does: everything on the device goes with it.
      tables.addresses.removeAll { $0.index == link.index }
      tables.routes.removeAll { $0.interfaceIndex == link.index }
      tables.neighbours.removeAll { $0.interfaceIndex == link.index }
      tables.forwarding.removeAll { $0.interfaceIndex == link.index }
      tables.changes.append("link del \(name)")
    }
  }

  func addresses() -> [InterfaceAddress] { tables.withLock { $0.addresses } }

  func addAddress(_ address: InterfaceAddress) {
    tables.withLock { tables in
      if !tables.addresses.contains(address) { tables.addresses.append(address) }
    }
  }

  func createPodInterface(_ request: PodInterfaceRequest) throws(NetworkError) {
    try addLink(request.hostName, mtu: request.mtu, up: true)
  }

  func routes() -> [RouteEntry] { tables.withLock { $0.routes } }

  func replaceRoute(_ route: RouteEntry) {
    tables.withLock { tables in
      tables.routes.removeAll { $0.destination == route.destination }
      tables.routes.append(route)
      tables.changes.append("route replace \(route.destination) via \(route.gateway?.description ?? "-")")
    }
  }

  func deleteRoute(_ route: RouteEntry) {
    tables.withLock { tables in
      tables.routes.removeAll { $0 == route }
      tables.changes.append("route del \(route.destination)")
    }
  }

  func neighbours(interface: Int32) -> [NeighbourEntry] {
    tables.withLock { $0.neighbours.filter { $0.interfaceIndex == interface } }
  }

  func replaceNeighbour(_ entry: NeighbourEntry) {
    tables.withLock { tables in
      tables.neighbours.removeAll { $0.interfaceIndex == entry.interfaceIndex && $0.address == entry.address }
      tables.neighbours.append(entry)
      tables.changes.append("neigh replace \(entry.address) \(entry.mac.macText)")
    }
  }

  func deleteNeighbour(_ entry: NeighbourEntry) {
    tables.withLock { tables in
      tables.neighbours.removeAll { $0 == entry }
      tables.changes.append("neigh del \(entry.address)")
    }
  }

  func forwardingEntries(interface: Int32) -> [NeighbourEntry] {
    tables.withLock { $0.forwarding.filter { $0.interfaceIndex == interface } }
  }

  func replaceForwardingEntry(_ entry: NeighbourEntry) {
    tables.withLock { tables in
      tables.forwarding.removeAll { $0.interfaceIndex == entry.interfaceIndex && $0.mac == entry.mac }
      tables.forwarding.append(entry)
      tables.changes.append("fdb replace \(entry.mac.macText) dst \(entry.address)")
    }
  }

  func deleteForwardingEntry(_ entry: NeighbourEntry) {
    tables.withLock { tables in
      tables.forwarding.removeAll { $0 == entry }
      tables.changes.append("fdb del \(entry.mac.macText)")
    }
  }

  func setSysctl(_ name: String, _ value: String) -> Bool {
    tables.withLock { $0.sysctls[name] = value }
    return true
  }
}
