import Foundation
import Glibc
import SkiffTestSupport
import Testing

@testable import Addons

/// The real thing as a node runs it: the dummy interface holding the service IP, the server
/// bound there on port 53, inside a network namespace the test creates (root only).
@Suite(.serialized) struct ClusterDNSNamespaceTests {
  static let canRun =
    getuid() == 0 && FileManager.default.isExecutableFile(atPath: IPCommandRunner.executable)
    && FileManager.default.isExecutableFile(atPath: "/usr/bin/dig")

  static func run(_ executable: String, _ arguments: [String]) async throws -> String {
    try await ClusterDNSIntegrationTests.blocking { try SkiffServerProcess.run(executable, arguments) }
  }

  @Test(.enabled(if: canRun, "needs root, iproute2 and dig"))
  func servesTheServiceIPFromADummyInterface() async throws {
    let namespace = "skiff-dns-test-\(getpid())"
    let ip = IPCommandRunner.executable
    _ = try await Self.run(ip, ["netns", "add", namespace])
    defer { _ = try? SkiffServerProcess.run(ip, ["netns", "del", namespace]) }
    _ = try await Self.run(ip, ["-n", namespace, "link", "set", "lo", "up"])

    let dns = try ClusterDNS(
      records: ClusterFixtures.records(),
      configuration: ClusterDNSConfiguration(upstreams: .none, networkNamespace: namespace))
    let running = Task { try await dns.run() }
    let addresses = await dns.listeningAddresses()
    if addresses.isEmpty { try await running.value }
    #expect(addresses.map { "\($0)" }.contains { $0.contains("10.43.0.10") && $0.contains("53") })

    // The dummy link where the kernel has them, else the loopback device.
    let links = try await Self.run(ip, ["-n", namespace, "addr", "show"])
    #expect(links.contains("10.43.0.10/32"))
    for transport in ["+notcp", "+tcp"] {
      let answer = try await Self.run(
        ip,
        [
          "netns", "exec", namespace, "/usr/bin/dig", "@10.43.0.10", transport, "+short",
          "web.default.svc.cluster.local",
        ])
      #expect(answer.trimmingCharacters(in: .whitespacesAndNewlines) == "10.43.1.5")
    }

    running.cancel()
    try? await running.value
    #expect(!(try await Self.run(ip, ["-n", namespace, "addr", "show"])).contains("10.43.0.10"))
  }
}
