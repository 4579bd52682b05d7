import Dispatch
import Foundation
import KubeAPI
import KubeClient
import SkiffCore
import SkiffTestSupport
import Testing

@testable import Addons

/// A real `skiff server --disable-agent` driven with kubectl; cluster DNS runs in the test
/// process on a loopback port and is queried with dig and busybox nslookup.
@Suite(.serialized) struct ClusterDNSIntegrationTests {
  static let available =
    FileManager.default.isExecutableFile(atPath: SkiffServerProcess.binary) && SkiffServerProcess.kubectlPath != nil

  /// Blocking commands run on a Dispatch thread, never on the cooperative pool.
  static func blocking(_ body: @escaping @Sendable () throws -> String) async throws -> String {
    try await Blocking.run { try body().trimmingCharacters(in: .whitespacesAndNewlines) }
  }

  static func kubectl(_ server: SkiffServerProcess, _ arguments: String..., input: String? = nil) async throws
    -> String
  {
    try await blocking { try server.kubectl(arguments: arguments, input: input) }
  }

  static func dig(_ port: Int, _ arguments: String...) async throws -> String {
    try await blocking { try SkiffServerProcess.run("/usr/bin/dig", ["@127.0.0.1", "-p", String(port)] + arguments) }
  }

  /// Polls until `check` holds (informers deliver changes asynchronously).
  static func eventually(_ what: String, _ check: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if (try? await check()) == true { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("timed out waiting for \(what)")
  }

  @Test(.enabled(if: available, "needs the skiff binary (SKIFF_BINARY) and kubectl"))
  func servicesCreatedWithKubectlResolve() async throws {
    let server = try SkiffServerProcess()
    defer { server.stop() }
    try await server.waitReady(timeout: .seconds(120), etcd: false)
    let client = KubeClient(transport: try HTTPTransport(HTTPTransport.Credentials(kubeconfig: server.kubeconfig)))

    // kube-dns gets the fixed ClusterIP; a second ensure changes nothing, a damaged one is repaired.
    try await ClusterDNSService.ensure(client: client, clusterIP: "10.43.0.10")
    try await ClusterDNSService.ensure(client: client, clusterIP: "10.43.0.10")
    #expect(
      try await Self.kubectl(server, "get", "svc", "-n", "kube-system", "kube-dns", "-o", "jsonpath={.spec.clusterIP}")
        == "10.43.0.10")
    try await Self.kubectl(server, "label", "svc", "-n", "kube-system", "kube-dns", "k8s-app-")
    try await ClusterDNSService.ensure(client: client, clusterIP: "10.43.0.10")
    #expect(
      try await Self.kubectl(
        server, "get", "svc", "-n", "kube-system", "-l", "k8s-app=kube-dns", "-o",
        "jsonpath={.items[0].spec.ports[*].name}") == "dns dns-tcp metrics")

    let port = try SkiffServerProcess.freePort()
    let dns = try ClusterDNS(
      client: client,
      configuration: ClusterDNSConfiguration(
        listenAddresses: ["127.0.0.1:\(port)"], upstreams: .none, interfaceName: nil, watchNamespaces: true))
    let running = Task { try await dns.run() }
    defer { running.cancel() }
    if await dns.listeningAddresses().isEmpty { try await running.value }

    try await Self.kubectl(server, "create", "service", "clusterip", "web", "--tcp=80:8080")
    let ip = try await Self.kubectl(server, "get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}")
    try await Self.eventually("web's A record") {
      try await Self.dig(port, "+short", "web.default.svc.cluster.local") == ip
    }
    let srv = try await Self.dig(port, "+short", "SRV", "_80-8080._tcp.web.default.svc.cluster.local")
    #expect(srv == "0 100 80 web.default.svc.cluster.local.")
    let ptrName = ip.split(separator: ".").reversed().joined(separator: ".") + ".in-addr.arpa"
    #expect(try await Self.dig(port, "+short", "PTR", ptrName) == "web.default.svc.cluster.local.")
    #expect(try await Self.dig(port, "+short", "kube-dns.kube-system.svc.cluster.local") == "10.43.0.10")

    // busybox nslookup, as a pod would run it.
    let nslookup = try await Self.blocking {
      try SkiffServerProcess.run(
        "/usr/bin/busybox", ["nslookup", "web.default.svc.cluster.local", "127.0.0.1:\(port)"])
    }
    #expect(nslookup.contains("Address: \(ip)"))

    // A headless service with a hand-made EndpointSlice answers its endpoints.
    try await Self.kubectl(
      server, "apply", "-f", "-",
      input: """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"db"},"spec":{"clusterIP":"None","ports":[{"name":"sql","port":5432}]}}
        """)
    try await Self.kubectl(
      server, "apply", "-f", "-",
      input: """
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"db-1","labels":{"kubernetes.io/service-name":"db"}},
         "addressType":"IPv4","ports":[{"name":"sql","port":5432,"protocol":"TCP"}],
         "endpoints":[{"addresses":["10.42.0.31"],"hostname":"db-0"},{"addresses":["10.42.0.32"],"conditions":{"ready":true}}]}
        """)
    try await Self.eventually("db's endpoints") {
      try await Self.dig(port, "+short", "db.default.svc.cluster.local").split(separator: "\n").sorted()
        == ["10.42.0.31", "10.42.0.32"]
    }
    #expect(try await Self.dig(port, "+short", "db-0.db.default.svc.cluster.local") == "10.42.0.31")
    #expect(
      try await Self.dig(port, "+short", "SRV", "_sql._tcp.db.default.svc.cluster.local").split(separator: "\n")
        .sorted()
        == ["0 50 5432 10-42-0-32.db.default.svc.cluster.local.", "0 50 5432 db-0.db.default.svc.cluster.local."])

    // A namespace without services exists: NODATA, not NXDOMAIN.
    try await Self.kubectl(server, "create", "namespace", "quiet")
    try await Self.eventually("the quiet namespace") {
      try await Self.dig(port, "quiet.svc.cluster.local").contains("status: NOERROR")
    }
    #expect(try await Self.dig(port, "loud.svc.cluster.local").contains("status: NXDOMAIN"))

    // Deleting the service takes its name away: NXDOMAIN, with the SOA.
    try await Self.kubectl(server, "delete", "service", "web")
    try await Self.eventually("web's NXDOMAIN") {
      try await Self.dig(port, "web.default.svc.cluster.local").contains("status: NXDOMAIN")
    }
    let noData = try await Self.dig(port, "AAAA", "db.default.svc.cluster.local")
    #expect(noData.contains("status: NOERROR") && noData.contains("ANSWER: 0") && noData.contains("SOA"))
  }
}
