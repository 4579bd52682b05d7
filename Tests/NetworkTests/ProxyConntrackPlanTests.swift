import Testing

@testable import SkiffNetwork

/// Which UDP flows a sync deletes.
@Suite struct ProxyConntrackPlanTests {
  static let configuration = ProxyConfiguration(nodeName: "a", nodeIPs: ["192.168.50.1"])
  static let dns = ProxiedService(
    namespace: "default", name: "echo", clusterIPs: ["10.43.0.30"],
    ports: [.init(name: "u", proto: "udp", port: 53, nodePort: 30053)], exposesNodePorts: true)

  static func snapshot(_ ips: [String], service: ProxiedService = dns) -> ProxySnapshot {
    ProxySnapshot(
      services: [service], endpoints: [service.key: ["u": ips.map { ServiceEndpoint(ip: $0, port: 5353) }]])
  }

  @Test func goneEndpointFlowsAreDeleted() {
    let deletions = ConntrackPlan.deletions(
      from: Self.snapshot(["10.42.0.11", "10.42.0.12"]), to: Self.snapshot(["10.42.0.11"]),
      configuration: Self.configuration)
    #expect(
      deletions == [
        ["-D", "-p", "udp", "--orig-dst", "10.43.0.30", "--orig-port-dst", "53", "--reply-src", "10.42.0.12"],
        ["-D", "-p", "udp", "--orig-port-dst", "30053", "--reply-src", "10.42.0.12"],
      ])
  }

  @Test func firstEndpointAndChangedServiceIPFlushTheAddress() {
    let first = ConntrackPlan.deletions(
      from: Self.snapshot([]), to: Self.snapshot(["10.42.0.11"]), configuration: Self.configuration)
    #expect(first.contains(["-D", "-p", "udp", "--orig-dst", "10.43.0.30", "--orig-port-dst", "53"]))
    var moved = Self.dns
    moved.clusterIPs = ["10.43.0.31"]
    let changed = ConntrackPlan.deletions(
      from: Self.snapshot(["10.42.0.11"]), to: Self.snapshot(["10.42.0.11"], service: moved),
      configuration: Self.configuration)
    #expect(changed.contains(["-D", "-p", "udp", "--orig-dst", "10.43.0.30", "--orig-port-dst", "53"]))
  }

  @Test func tcpAndUnchangedServicesDeleteNothing() {
    var tcp = Self.dns
    tcp.ports = [.init(name: "u", proto: "tcp", port: 80)]
    #expect(
      ConntrackPlan.deletions(
        from: Self.snapshot(["10.42.0.11"], service: tcp), to: Self.snapshot([], service: tcp),
        configuration: Self.configuration
      ).isEmpty)
    #expect(
      ConntrackPlan.deletions(
        from: Self.snapshot(["10.42.0.11"]), to: Self.snapshot(["10.42.0.11"]), configuration: Self.configuration
      ).isEmpty)
  }
}
