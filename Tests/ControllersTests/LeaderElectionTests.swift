import Controllers
import KubeAPI
import KubeClient
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Two controller managers on one API server: one leads, the other takes over when the leader
/// can no longer reach the API (as if its process or machine died).
@Suite struct LeaderElectionTests {
  /// A transport that can be cut off, like a network cable.
  final class CuttableTransport: KubeTransport {
    let inner: any KubeTransport
    let cut = Mutex(false)
    init(_ inner: any KubeTransport) { self.inner = inner }

    func send(_ request: KubeRequest) async throws -> KubeResponse {
      if cut.withLock({ $0 }) { throw KubeClientError.transport("connection refused") }
      return try await inner.send(request)
    }

    func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
      if cut.withLock({ $0 }) { throw KubeClientError.transport("connection refused") }
      return try await inner.stream(request)
    }
  }

  /// Counts how many controller terms are running at once.
  final class Terms: Sendable {
    let running = Mutex<[String]>([])
  }

  struct TermController: Controller {
    let name = "term"
    let identity: String
    let terms: Terms
    func run() async {
      terms.running.withLock { $0.append(identity) }
      while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
      terms.running.withLock { $0.removeAll { $0 == identity } }
    }
  }

  @Test func standbyTakesOverWithinTheLeaseDurationWhenTheLeaderDies() async throws {
    let cluster = try await TestCluster.start { _ in [] }
    defer { Task { await cluster.stop() } }
    let terms = Terms()
    func manager(_ identity: String) -> (ServiceGroup, CuttableTransport) {
      let transport = CuttableTransport(
        cluster.api.inProcessTransport(user: "system:kube-controller-manager", groups: ["system:masters"]))
      let client = KubeClient(transport: transport)
      var elector = LeaderElector(client: client, name: "kube-controller-manager", identity: identity)
      elector.leaseDuration = .seconds(3)
      elector.renewDeadline = .seconds(2)
      elector.retryPeriod = .milliseconds(250)
      let context = ControllerContext(
        client: client, informers: SharedInformers(client: client),
        recorder: EventRecorder(client: client, component: identity))
      let manager = ControllerManager(
        context: context, controllers: [TermController(identity: identity, terms: terms)], elector: elector,
        ready: {})
      var quiet = Logger(label: identity)
      quiet.logLevel = .warning
      return (ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: quiet)), transport)
    }
    let (first, firstTransport) = manager("server-a")
    let (second, _) = manager("server-b")
    _ = Task { try await first.run() }
    defer { Task { await first.triggerGracefulShutdown() } }
    try await cluster.eventually("server-a leads") { terms.running.withLock { $0 } == ["server-a"] ? true : nil }
    _ = Task { try await second.run() }
    defer { Task { await second.triggerGracefulShutdown() } }
    try await Task.sleep(for: .seconds(1))
    #expect(terms.running.withLock { $0 } == ["server-a"], "the standby waits while the leader renews")
    let lease = try await cluster.client.get(.leases, namespace: "kube-system", name: "kube-controller-manager")
    #expect(lease["spec"]?["holderIdentity"]?.stringValue == "server-a")

    let cutAt = ContinuousClock.now
    firstTransport.cut.withLock { $0 = true }
    try await cluster.eventually(timeout: .seconds(15), "server-b leads") {
      terms.running.withLock { $0 } == ["server-b"] ? true : nil
    }
    let takeover = ContinuousClock.now - cutAt
    #expect(takeover < .seconds(6), "took over after \(takeover); lease duration is 3 s")
    let taken = try await cluster.client.get(.leases, namespace: "kube-system", name: "kube-controller-manager")
    #expect(taken["spec"]?["holderIdentity"]?.stringValue == "server-b")
    #expect(taken["spec"]?["leaseTransitions"]?.intValue == 1)
  }
}
