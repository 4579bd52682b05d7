import Foundation
import SkiffCore
import Testing

@testable import SkiffNetwork

@Suite struct IPAMTests {
  static func directory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("skiff-ipam-\(UUID())").path
  }

  @Test func allocatesRoundRobinSkippingNetworkGatewayAndBroadcast() throws {
    let root = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let ipam = try HostLocalIPAM(range: #require(IPv4CIDR("10.42.3.0/24")), networkDirectory: root)
    let first = try ipam.allocate(podUID: "a")
    let second = try ipam.allocate(podUID: "b")
    #expect(first.description == "10.42.3.2")
    #expect(second.description == "10.42.3.3")
    // Idempotent for a pod that already holds one.
    #expect(try ipam.allocate(podUID: "a") == first)
    // A released address is not handed out again right away (round-robin from last_reserved).
    #expect(ipam.release(podUID: "a") == first)
    #expect(try ipam.allocate(podUID: "c").description == "10.42.3.4")
    #expect(ipam.address(of: "b") == second)
    #expect(ipam.address(of: "a") == nil)
    #expect(ipam.allocations() == [second: "b", try #require(IPv4Address("10.42.3.4")): "c"])
    let file = try String(contentsOfFile: "\(root)/ipam/10.42.3.0_24/10.42.3.3", encoding: .utf8)
    #expect(file == "b")
  }

  @Test func exhaustionIsAnErrorAndWrapsAround() throws {
    let root = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // A /29 has 8 addresses: network, gateway, broadcast excluded leaves .2 to .6.
    let ipam = try HostLocalIPAM(range: #require(IPv4CIDR("10.42.0.0/29")), networkDirectory: root)
    let addresses = try (0..<5).map { try ipam.allocate(podUID: "pod-\($0)").description }
    #expect(addresses == ["10.42.0.2", "10.42.0.3", "10.42.0.4", "10.42.0.5", "10.42.0.6"])
    #expect(throws: NetworkError.self) { try ipam.allocate(podUID: "one-too-many") }
    do {
      _ = try ipam.allocate(podUID: "one-too-many")
    } catch {
      #expect(error.code == .addressesExhausted)
      #expect(error.message.contains("10.42.0.0/29"))
    }
    ipam.release(podUID: "pod-2")
    // After the end of the range the search wraps to the start and finds the freed one.
    #expect(try ipam.allocate(podUID: "late").description == "10.42.0.4")
  }

  @Test func stateSurvivesARestart() throws {
    let root = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let range = try #require(IPv4CIDR("10.42.7.0/24"))
    let before = try HostLocalIPAM(range: range, networkDirectory: root)
    let held = try before.allocate(podUID: "survivor")
    _ = try before.allocate(podUID: "other")
    let after = try HostLocalIPAM(range: range, networkDirectory: root)
    #expect(after.address(of: "survivor") == held)
    #expect(try after.allocate(podUID: "survivor") == held)
    // last_reserved persisted too: the next one continues after the last handed out.
    #expect(try after.allocate(podUID: "new").description == "10.42.7.4")
  }

  @Test func concurrentAllocationsNeverShareAnAddress() async throws {
    let root = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let range = try #require(IPv4CIDR("10.42.9.0/24"))
    // Two instances over one directory stand for two processes: only O_EXCL keeps them apart.
    let instances = try [
      HostLocalIPAM(range: range, networkDirectory: root), HostLocalIPAM(range: range, networkDirectory: root),
    ]
    let results = await withTaskGroup(of: (String, IPv4Address?).self) { group in
      for index in 0..<200 {
        let ipam = instances[index % 2]
        group.addTask { ("pod-\(index)", try? ipam.allocate(podUID: "pod-\(index)")) }
      }
      return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }
    let addresses = results.values.compactMap { $0 }
    #expect(addresses.count == 200)
    #expect(Set(addresses).count == 200)
    #expect(instances[0].allocations().count == 200)
  }

  @Test func leakedAddressesAreCollected() throws {
    let root = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let ipam = try HostLocalIPAM(range: #require(IPv4CIDR("10.42.1.0/24")), networkDirectory: root)
    let kept = try ipam.allocate(podUID: "running")
    let leaked = try ipam.allocate(podUID: "deleted-while-down")
    let released = ipam.collectLeaks { $0 == "running" }
    #expect(released == [leaked: "deleted-while-down"])
    #expect(ipam.allocations() == [kept: "running"])
  }

  @Test func rejectsTinyRanges() throws {
    #expect(throws: NetworkError.self) {
      try HostLocalIPAM(range: #require(IPv4CIDR("10.42.0.0/31")), networkDirectory: Self.directory())
    }
  }
}
