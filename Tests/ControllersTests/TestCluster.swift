import APIServer
import Controllers
import Foundation
import HollowNodes
import KubeAPI
import KubeClient
import Logging
import PKI
import ServiceLifecycle
import SkiffCore
import SkiffTestSupport
import Store

/// A real API server over a temporary SQLite log, with controllers running in-process through
/// the same client path `skiff server` uses. No root needed.
final class TestCluster: Sendable {
  let directory: String
  let api: APIServer
  let client: KubeClient
  let context: ControllerContext
  let kubeconfig: String
  let group: ServiceGroup
  let running: Task<Void, any Error>
  /// Simulated nodes (`hollow-node-0`…), when the test asked for some.
  let nodes: HollowNodes?
  let nodesRunning: Task<Void, Never>?

  /// Starts the server, then `controllers(context)` under a ControllerManager.
  static func start(
    settings: ControllerSettings = ControllerSettings(), clock: any WallClock = SystemClock(), nodes: Int = 0,
    heartbeat: Duration = .seconds(10), controllers: (ControllerContext) -> [any Controller]
  ) async throws -> TestCluster {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-ctl-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var quiet = Logger(label: "test")
    quiet.logLevel = .warning
    let log = try await RevisionLog.open(driver: SQLiteDriver(path: "\(directory)/state.db"), logger: quiet)
    let pki = try await ClusterPKI.loadOrCreate(
      ClusterPKI.Options(dataDirectory: directory, nodeIPs: ["127.0.0.1"], token: SkiffServerProcess.testToken),
      store: DatastoreBootstrapStore(log: log), logger: quiet)
    let port = try SkiffServerProcess.freePort()
    var configuration = APIServer.Configuration(
      certificatePEM: pki.serving.certificatePEM + "\n" + pki.serverCA.certificatePEM,
      keyPEM: pki.serving.privateKeyPEM, clientCAPEM: pki.clientCA.certificatePEM)
    configuration.bindAddress = "127.0.0.1"
    configuration.port = port
    configuration.serverCACertificatePEM = pki.serverCA.certificatePEM
    configuration.serviceAccountTokens = pki.serviceAccountTokens
    let api = try APIServer(log: log, configuration: configuration, logger: quiet)
    let kubeconfig = "\(directory)/kubeconfig.yaml"
    try pki.adminKubeconfig(server: "https://127.0.0.1:\(port)").write(to: kubeconfig)

    let client = KubeClient(
      transport: api.inProcessTransport(user: "system:kube-controller-manager", groups: ["system:masters"]))
    var settings = settings
    settings.rootCAPEM = pki.serverCA.certificatePEM
    let context = ControllerContext(
      client: client, informers: SharedInformers(client: client, logger: quiet),
      recorder: EventRecorder(client: client, component: "test-controllers", clock: clock, logger: quiet),
      clock: clock, settings: settings, logger: quiet)
    let manager = ControllerManager(
      context: context, controllers: controllers(context), elector: nil, ready: { await api.waitUntilReady() })
    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: log), .init(service: api), .init(service: manager)], logger: quiet))
    let running = Task { try await group.run() }
    await api.waitUntilReady()
    var hollow: HollowNodes?
    var nodesRunning: Task<Void, Never>?
    if nodes > 0 {
      var configuration = HollowNodes.Configuration(count: nodes)
      configuration.heartbeat = heartbeat
      let simulated = HollowNodes(client: client, configuration: configuration, logger: quiet)
      nodesRunning = Task { await simulated.run() }
      hollow = simulated
    }
    return TestCluster(
      directory: directory, api: api, client: client, context: context, kubeconfig: kubeconfig, group: group,
      running: running, nodes: hollow, nodesRunning: nodesRunning)
  }

  private init(
    directory: String, api: APIServer, client: KubeClient, context: ControllerContext, kubeconfig: String,
    group: ServiceGroup, running: Task<Void, any Error>, nodes: HollowNodes?, nodesRunning: Task<Void, Never>?
  ) {
    self.nodes = nodes
    self.nodesRunning = nodesRunning
    self.directory = directory
    self.api = api
    self.client = client
    self.context = context
    self.kubeconfig = kubeconfig
    self.group = group
    self.running = running
  }

  func stop() async {
    nodesRunning?.cancel()
    await nodesRunning?.value
    await group.triggerGracefulShutdown()
    _ = try? await running.value
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Runs the real kubectl against this cluster, on a thread of its own: waiting for a process
  /// on a shared pool thread would starve the in-process server it talks to.
  func kubectl(_ arguments: String..., input: String? = nil) async throws -> String {
    let arguments = ["--kubeconfig", kubeconfig] + arguments
    return try await Blocking.run {
      try SkiffServerProcess.run(SkiffServerProcess.kubectlPath ?? "/usr/bin/kubectl", arguments, input: input)
    }
  }

  /// kubectl's stdout and stderr, whether it succeeded or not (a drain that times out).
  func kubectlOutput(_ arguments: String...) async -> String {
    let arguments = ["--kubeconfig", kubeconfig] + arguments
    do {
      return try await Blocking.run {
        try SkiffServerProcess.run(
          SkiffServerProcess.kubectlPath ?? "/usr/bin/kubectl", arguments, includeErrors: true)
      }
    } catch let failure as SkiffServerProcess.Failure {
      return failure.output
    } catch {
      return "\(error)"
    }
  }

  /// Polls `check` until it answers non-nil, or fails after `timeout`.
  @discardableResult
  func eventually<T: Sendable>(
    timeout: Duration = .seconds(30), _ what: String, _ check: @Sendable () async throws -> T?
  ) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let value = try? await check() { return value }
      try await Task.sleep(for: .milliseconds(100))
    }
    if let value = try await check() { return value }
    throw TestFailure("timed out waiting for \(what)")
  }
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
