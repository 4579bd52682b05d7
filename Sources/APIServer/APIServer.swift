import Foundation
import KubeAPI
import KubeClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PKI
import ServiceLifecycle
import Store

/// The Kubernetes API server: HTTPS on one port over the revision log.
public final class APIServer: Service, Sendable {
  public struct Configuration: Sendable {
    public var bindAddress = "0.0.0.0"
    public var port = 6443
    /// The address clients are told to use (discovery, the kubernetes Endpoints).
    public var advertiseAddress = "127.0.0.1"
    public var certificatePEM: String
    public var keyPEM: String
    /// Client certificates must chain to one of these CAs (PEM bundle).
    public var clientCAPEM: String
    public var serviceCIDR = "10.43.0.0/16"
    public var nodePortRange: ClosedRange<Int64> = 30000...32767
    /// Request bodies above this are refused with 413 (upstream: 3 MiB).
    public var maxBodyBytes = 3 * 1024 * 1024
    /// Signs and verifies service-account tokens; nil disables bearer tokens.
    public var serviceAccountTokens: ServiceAccountTokens?
    /// Served at /cacerts so agents can pin it against their join token (PEM bundle).
    public var serverCACertificatePEM = ""
    /// Best-practice warnings turned off by name (`--disable-warnings`).
    public var disabledWarnings: Set<String> = []
    /// The cluster token agents may join with at `/v1-skiff/node-join` (bootstrap tokens work too).
    public var joinToken: JoinToken?
    /// Signs joining nodes' certificates; nil turns the join endpoint off (a server without the CA keys).
    public var csrSigner: CSRSigner?
    /// The client certificate towards kubelets and the CA their serving certificates chain to
    /// (ClusterPKI.apiServerClient and serverCA); nil leaves logs/exec/port-forward unavailable.
    public var kubeletClient: KubeletClientCredentials?
    /// Seals Secrets at rest (see ``SecretsEncryption/load``); nil stores them as given.
    public var secretsEncryption: SecretsEncryption?
    /// Replaces the cluster CAs on `POST /v1-skiff/rotate-ca`; nil turns that endpoint off.
    public var caRotation: CARotation?

    public init(certificatePEM: String, keyPEM: String, clientCAPEM: String) {
      self.certificatePEM = certificatePEM
      self.keyPEM = keyPEM
      self.clientCAPEM = clientCAPEM
    }
  }

  let configuration: Configuration
  let state: APIState
  let router: APIRouter
  let logger: Logger

  public init(log: RevisionLog, configuration: Configuration, logger: Logger = Logger(label: "apiserver")) throws {
    self.configuration = configuration
    self.logger = logger
    let allocator = try ServiceAllocator(cidr: configuration.serviceCIDR, nodePorts: configuration.nodePortRange)
    state = APIState(
      log: log, registry: ResourceRegistry(BuiltinResources.all()), serviceAllocator: allocator,
      tokens: configuration.serviceAccountTokens,
      warnings: BestPracticeWarnings(disabled: configuration.disabledWarnings),
      logger: logger, kubelet: try configuration.kubeletClient.map(KubeletClient.init),
      encryption: configuration.secretsEncryption)
    router = APIRouter(
      state: state, authenticator: Authenticator(tokens: configuration.serviceAccountTokens, state: state),
      discovery: Discovery(
        registry: state.registry, serverAddress: "\(configuration.advertiseAddress):\(configuration.port)"),
      metrics: RequestMetrics(), caCertificatePEM: configuration.serverCACertificatePEM,
      clientCACertificatePEM: configuration.clientCAPEM, caRotation: configuration.caRotation,
      join: configuration.csrSigner.map {
        NodeJoinSettings(
          clusterToken: configuration.joinToken, signer: $0, clientCAPEM: configuration.clientCAPEM,
          serverCAPEM: configuration.serverCACertificatePEM)
      })
  }

  /// A client transport that calls this server inside the process as `user`: the request takes
  /// the same path as one over HTTPS (authorization, admission, validation, watch cache) without
  /// TLS and sockets. Controllers use it.
  public func inProcessTransport(user: String, groups: [String]) -> some KubeTransport {
    InProcessTransport(
      router: router, user: UserInfo(name: user, groups: groups + ["system:authenticated"]))
  }

  /// Returns once the bootstrap objects (namespaces, RBAC, the kubernetes Service) exist.
  public func waitUntilReady() async {
    while !state.isBootstrapped && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
  }

  /// The names `--disable-warnings` accepts.
  public static let warningNames = BestPracticeWarnings.Name.allCases.map(\.rawValue)

  /// The `kubernetes` Service's address: the first of the service range.
  public static func firstServiceIP(cidr: String) throws -> String {
    try ServiceAllocator(cidr: cidr, nodePorts: 30000...32767).address(1)
  }

  public func run() async throws {
    var tls = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(configuration.certificatePEM.utf8)).map {
        .certificate($0)
      },
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(configuration.keyPEM.utf8), format: .pem)))
    tls.applicationProtocols = ["h2", "http/1.1"]
    tls.certificateVerification = .optionalVerification
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(configuration.clientCAPEM.utf8)))
    tls.minimumTLSVersion = .tlsv12

    let router = self.router
    let server = HTTPServer(
      host: configuration.bindAddress, port: configuration.port, tls: tls, maxBodyBytes: configuration.maxBodyBytes,
      logger: logger, handler: { await router.handle($0) })
    let channel = try await server.start(group: MultiThreadedEventLoopGroup.singleton)
    logger.info("API server listening", metadata: ["address": "\(configuration.bindAddress):\(configuration.port)"])
    let bootstrap = Bootstrap(state: state, advertiseAddress: configuration.advertiseAddress, port: configuration.port)
    do {
      try await bootstrap.run()
    } catch {
      logger.error("bootstrap failed", metadata: ["error": "\(error)"])
    }
    let crds = Task { await CRDController(state: state).run() }
    let keys = Task { [encryption = configuration.secretsEncryption] in await encryption?.follow() }
    // Graceful shutdown and cancellation (another service of the group failed) both close the listener.
    await withTaskCancellationHandler {
      await withGracefulShutdownHandler {
        try? await channel.closeFuture.get()
      } onGracefulShutdown: {
        channel.close(mode: .all, promise: nil)
      }
    } onCancel: {
      channel.close(mode: .all, promise: nil)
    }
    crds.cancel()
    keys.cancel()
    state.stopCaches()
    logger.info("API server stopped")
  }
}
