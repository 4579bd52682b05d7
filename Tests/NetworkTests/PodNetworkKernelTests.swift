import Foundation
import Glibc
import Logging
import SkiffCore
import SkiffTestSupport
import Testing

@testable import SkiffNetwork

/// Why the privileged kernel tests cannot run here, if they cannot.
let kernelSkipReason: String? = {
  if geteuid() != 0 { return "needs root (network namespaces, bridges, veths)" }
  if !FileManager.default.isExecutableFile(atPath: PodNetworkTopology.ip) { return "needs iproute2 (/usr/sbin/ip)" }
  if !TestImage.busyboxAvailable { return "needs Debian's busybox-static at /bin/busybox (ping)" }
  return nil
}()

/// The real rtnetlink path as root, inside network namespaces the test creates: a "node"
/// namespace standing for the host and one namespace per "pod". Nothing touches the host's.
@Suite(.serialized, .enabled(if: kernelSkipReason == nil, "\(kernelSkipReason ?? "")"))
struct PodNetworkKernelTests {
  final class Namespaces: @unchecked Sendable {
    let prefix = "sknk\(UInt16.random(in: 0...UInt16.max))"
    var created: [String] = []

    func add(_ name: String) throws -> String {
      let full = "\(prefix)-\(name)"
      try PodNetworkTopology.run(["netns", "add", full])
      created.append(full)
      return full
    }

    func remove() {
      for name in created.reversed() { _ = try? PodNetworkTopology.run(["netns", "del", name]) }
    }
  }

  /// Runs the blocking kernel work on a thread inside the node namespace, off the cooperative pool.
  static func inNode<T: Sendable>(_ namespace: String, _ body: @escaping @Sendable () throws(NetworkError) -> T)
    async throws -> T
  {
    try await offPool { try NetworkNamespace.run(path: "/run/netns/\(namespace)", body) }
  }

  @Test func podsOnTheBridgeReachEachOtherAndCleanupLeavesNothing() async throws {
    let namespaces = Namespaces()
    defer { namespaces.remove() }
    let node = try namespaces.add("node")
    // The uplink carrying the node IP, with a 1500 MTU like a real NIC (a veth: not every kernel has dummy).
    try PodNetworkTopology.run(["-n", node, "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink0p"])
    try PodNetworkTopology.run(["-n", node, "addr", "add", "192.168.78.1/24", "dev", "uplink0"])
    try PodNetworkTopology.run(["-n", node, "link", "set", "uplink0", "mtu", "1500", "up"])
    let pods = try (0..<8).map { try namespaces.add("pod\($0)") }
    let directory = try TestImage.temporaryDirectory("netkernel")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let configuration = try PodNetworkConfiguration(
      backend: "vxlan", clusterCIDR: "10.42.0.0/16", nodeIP: "192.168.78.1", directory: directory)
    let network = PodNetwork(configuration: configuration, logger: Logger(label: "test"))
    let podCIDR = try #require(IPv4CIDR("10.42.5.0/24"))

    let state = try await Self.inNode(node) { () throws(NetworkError) in
      _ = try network.prepare(podCIDR: podCIDR)
      // Idempotent: a restarted agent prepares again over what exists.
      return try network.prepare(podCIDR: podCIDR)
    }
    #expect(state.uplink.name == "uplink0")
    #expect(state.mtu == 1450)
    let durations = try await Self.inNode(node) { () throws(NetworkError) in
      var durations: [Duration] = []
      for (index, pod) in pods.enumerated() {
        durations.append(try network.attach(podUID: "uid-\(index)", networkNamespace: "/run/netns/\(pod)").duration)
      }
      return durations
    }
    let sorted = durations.sorted()
    print("pod network attach: p50 \(sorted[sorted.count / 2]), max \(sorted.last!) over \(sorted.count) pods")

    let eth0 = try PodNetworkTopology.run(["-n", pods[0], "-o", "addr", "show", "dev", "eth0"])
    #expect(eth0.contains("inet 10.42.5.2/24"), "\(eth0)")
    #expect(try PodNetworkTopology.run(["-n", pods[0], "link", "show", "eth0"]).contains("mtu 1450"))
    #expect(try PodNetworkTopology.run(["-n", pods[0], "link", "show", "lo"]).contains("UP"))
    #expect(try PodNetworkTopology.run(["-n", pods[0], "route", "show", "default"]).contains("via 10.42.5.1 dev eth0"))
    let ports = try PodNetworkTopology.run(["-n", node, "-d", "-o", "link", "show", "master", "skiff0"])
    #expect(ports.split(separator: "\n").count == pods.count)
    #expect(ports.split(separator: "\n").allSatisfy { $0.contains("hairpin on") }, "\(ports)")
    #expect(try PodNetworkTopology.run(["-n", node, "addr", "show", "dev", "skiff0"]).contains("10.42.5.1/24"))
    let forwarding = try SkiffServerProcess.run(
      "/usr/sbin/ip", ["netns", "exec", node, "cat", "/proc/sys/net/ipv4/ip_forward"])
    #expect(forwarding.trimmingCharacters(in: .whitespacesAndNewlines) == "1")

    // Pod to pod over the bridge, and pod to its gateway.
    for target in ["10.42.5.3", "10.42.5.1"] {
      let ping = try SkiffServerProcess.run(
        "/usr/sbin/ip", ["netns", "exec", pods[0], TestImage.busyboxPath, "ping", "-c", "1", "-W", "2", target])
      #expect(ping.contains("1 packets received"), "\(ping)")
    }
    // Re-attaching a pod (kubelet retried) keeps its address and replaces its veth.
    let again = try await Self.inNode(node) { () throws(NetworkError) in
      try network.attach(podUID: "uid-1", networkNamespace: "/run/netns/\(pods[1])").address
    }
    #expect(again.description == "10.42.5.3")

    // Detach releases the address and removes the veth; leak collection takes the rest but the kept pod.
    try await Self.inNode(node) { () throws(NetworkError) in try network.detach(podUID: "uid-0") }
    #expect(try PodNetworkTopology.run(["-n", pods[0], "link", "show"]).contains("eth0") == false)
    #expect(network.address(of: "uid-0") == nil)
    let leaked = try await Self.inNode(node) { () throws(NetworkError) in network.collectLeaks { $0 == "uid-7" } }
    #expect(leaked.count == pods.count - 2)
    #expect(network.node?.ipam.allocations().values.sorted() == ["uid-7"])

    try await Self.inNode(node) { () throws(NetworkError) in try network.removeAll() }
    let links = try PodNetworkTopology.run(["-n", node, "-o", "link", "show"])
    #expect(!links.contains("skiff0") && !links.contains("skv"), "\(links)")
    #expect(!FileManager.default.fileExists(atPath: directory + "/ipam"))
    #expect(!(try PodNetworkTopology.run(["-n", pods[7], "link", "show"])).contains("eth0"))
  }

  @Test func vxlanDeviceAndPeerEntriesInTheKernel() async throws {
    let namespaces = Namespaces()
    defer { namespaces.remove() }
    let node = try namespaces.add("node")
    try PodNetworkTopology.run(["-n", node, "link", "add", "uplink0", "type", "veth", "peer", "name", "uplink0p"])
    try PodNetworkTopology.run(["-n", node, "addr", "add", "192.168.79.1/24", "dev", "uplink0"])
    try PodNetworkTopology.run(["-n", node, "link", "set", "uplink0", "up"])
    let directory = try TestImage.temporaryDirectory("netvxlan")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let network = PodNetwork(
      configuration: try PodNetworkConfiguration(
        backend: "vxlan", clusterCIDR: "10.42.0.0/16", nodeIP: "192.168.79.1", directory: directory),
      logger: Logger(label: "test"))
    let overlay = Overlay(configuration: network.configuration)
    let podCIDR = try #require(IPv4CIDR("10.42.0.0/24"))
    let peers = [
      OverlayPeer(
        name: "b", podCIDR: IPv4CIDR("10.42.1.0/24")!, publicIP: IPv4Address("192.168.79.2")!,
        vtepMAC: [2, 0xb, 0, 0, 0, 1]),
      OverlayPeer(
        name: "c", podCIDR: IPv4CIDR("10.42.2.0/24")!, publicIP: IPv4Address("192.168.79.3")!,
        vtepMAC: [2, 0xc, 0, 0, 0, 1]),
    ]
    let (first, second) = try await Self.inNode(node) { () throws(NetworkError) in
      let state = try network.prepare(podCIDR: podCIDR)
      let device = try overlay.setUp(podCIDR: podCIDR, uplink: state.uplink, mtu: state.mtu)
      let first = try overlay.reconcile(peers: peers, podCIDR: podCIDR, uplink: state.uplink, device: device)
      // What the kernel reports back matches what was asked: nothing to change the second time.
      let second = try overlay.reconcile(peers: peers, podCIDR: podCIDR, uplink: state.uplink, device: device)
      return (first, second)
    }
    #expect(first == Overlay.Changes(added: 6, removed: 0))
    #expect(second == Overlay.Changes())
    let details = try PodNetworkTopology.run(["-n", node, "-d", "link", "show", "skiff.1"])
    #expect(
      details.contains("vxlan id 1") && details.contains("dstport 8472") && details.contains("nolearning"), "\(details)"
    )
    #expect(details.contains("local 192.168.79.1") && details.contains("mtu 1450"), "\(details)")
    #expect(try PodNetworkTopology.run(["-n", node, "addr", "show", "dev", "skiff.1"]).contains("10.42.0.0/32"))
    let route = try PodNetworkTopology.run(["-n", node, "route", "show", "10.42.1.0/24"])
    #expect(route.contains("via 10.42.1.0 dev skiff.1 onlink"), "\(route)")
    let neighbours = try PodNetworkTopology.run(["-n", node, "neigh", "show", "dev", "skiff.1"])
    #expect(neighbours.contains("10.42.2.0 lladdr 02:0c:00:00:00:01 PERMANENT"), "\(neighbours)")
    let fdb = try SkiffServerProcess.run("/usr/sbin/bridge", ["-n", node, "fdb", "show", "dev", "skiff.1"])
    #expect(fdb.contains("02:0b:00:00:00:01 dst 192.168.79.2 self permanent"), "\(fdb)")

    // Node c is deleted.
    let removed = try await Self.inNode(node) { () throws(NetworkError) in
      guard let state = network.node else { throw NetworkError(.kernel, "the pod network was not prepared") }
      let device = try NetlinkKernel().link(named: "skiff.1")
      return try overlay.reconcile(peers: [peers[0]], podCIDR: podCIDR, uplink: state.uplink, device: device)
    }
    #expect(removed == Overlay.Changes(added: 0, removed: 3))
    #expect(try PodNetworkTopology.run(["-n", node, "route", "show", "10.42.2.0/24"]).isEmpty)

    try await Self.inNode(node) { () throws(NetworkError) in try network.removeAll() }
    let links = try PodNetworkTopology.run(["-n", node, "-o", "link", "show"])
    #expect(!links.contains("skiff"), "\(links)")
    #expect(try PodNetworkTopology.run(["-n", node, "route", "show"]).contains("10.42.") == false)
  }
}
