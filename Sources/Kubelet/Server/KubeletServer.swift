import KubeAPI
import KubeClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import Runtime
import ServiceLifecycle

/// The kubelet's HTTPS API on :10250: container logs, exec, attach and port-forward (over
/// WebSocket), stats and resource metrics. The API server reaches it for `kubectl logs`,
/// `exec`, `attach`, `cp`, `port-forward` and `top`. Run it as a `Service`, or call
/// `start()`/`stop()` directly.
public final class KubeletServer: Service, Sendable {
  public struct Configuration: Sendable {
    public var bindAddress = "0.0.0.0"
    /// 0 picks a free port (tests); `start()` returns the bound one.
    public var port = 10250
    /// The node this kubelet serves; authorization asks about `nodes/<nodeName>/…`.
    public var nodeName: String
    /// PEM files: the serving certificate (chain) and key, and the CA client certificates
    /// must chain to (the cluster's client CA).
    public var certificateFile: String
    public var keyFile: String
    public var clientCAFile: String
    /// The agent's data directory, reported as the node's file system in stats.
    public var rootDirectory = "/var/lib/skiff/agent"

    public init(nodeName: String, certificateFile: String, keyFile: String, clientCAFile: String) {
      self.nodeName = nodeName
      self.certificateFile = certificateFile
      self.keyFile = keyFile
      self.clientCAFile = clientCAFile
    }
  }

  let configuration: Configuration
  let runtime: ContainerRuntime
  let locator: any PodLocator
  let auth: KubeletAuth
  let stats: StatsCollector
  let logger: Logger
  private let listener = LockedBox<(any Channel)?>(nil)

  /// `client` reaches the API server for TokenReview and SubjectAccessReview; nil accepts only
  /// client certificates and refuses every authorization (useful only in tests).
  public init(
    configuration: Configuration, runtime: ContainerRuntime, locator: any PodLocator, client: KubeClient?,
    logger: Logger = Logger(label: "kubelet.server")
  ) {
    self.configuration = configuration
    self.runtime = runtime
    self.locator = locator
    self.logger = logger
    auth = KubeletAuth(client: client, nodeName: configuration.nodeName)
    stats = StatsCollector(
      runtime: runtime, locator: locator, nodeName: configuration.nodeName,
      rootDirectory: configuration.rootDirectory)
  }

  /// Binds and serves; returns the port it listens on.
  @discardableResult
  public func start() async throws -> Int {
    let tls = try tlsConfiguration()
    let context = try NIOSSLContext(configuration: tls)
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { [self] channel in
        channel.eventLoop.makeCompletedFuture {
          try configure(channel, tls: context)
        }
      }
    let channel = try await bootstrap.bind(host: configuration.bindAddress, port: configuration.port).get()
    listener.withLock { $0 = channel }
    let port = channel.localAddress?.port ?? configuration.port
    logger.info("kubelet API listening", metadata: ["address": "\(configuration.bindAddress):\(port)"])
    return port
  }

  /// Stops accepting connections; sessions in progress end with their clients.
  public func stop() async {
    guard
      let channel = listener.withLock({ channel -> (any Channel)? in
        defer { channel = nil }
        return channel
      })
    else { return }
    try? await channel.close()
  }

  public func run() async throws {
    try await start()
    let channel = listener.withLock { $0 }
    await withGracefulShutdownHandler {
      try? await channel?.closeFuture.get()
    } onGracefulShutdown: {
      channel?.close(mode: .all, promise: nil)
    }
  }

  private func tlsConfiguration() throws -> TLSConfiguration {
    var tls = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMFile(configuration.certificateFile).map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(file: configuration.keyFile, format: .pem)))
    tls.certificateVerification = .optionalVerification
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(configuration.clientCAFile))
    tls.applicationProtocols = ["http/1.1"]
    tls.minimumTLSVersion = .tlsv12
    return tls
  }

  /// TLS, HTTP/1.1, and a WebSocket upgrader that prepares the session before it answers 101.
  private func configure(_ channel: any Channel, tls: NIOSSLContext) throws {
    let sync = channel.pipeline.syncOperations
    let sslHandler = NIOSSLServerHandler(context: tls)
    try sync.addHandler(sslHandler)
    let prepared = LockedBox<(any StreamSession)?>(nil)
    let peer: @Sendable () -> [UInt8]? = {
      guard channel.eventLoop.inEventLoop,
        let handler = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
      else { return nil }
      return try? handler.peerCertificate?.toDERBytes()
    }
    let upgrader = NIOWebSocketServerUpgrader(
      maxFrameSize: 1 << 20, automaticErrorHandling: true,
      shouldUpgrade: { [self] channel, head in
        let promise = channel.eventLoop.makePromise(of: HTTPHeaders?.self)
        let request = KubeletRequest(head: head, peerCertificateDER: peer())
        promise.completeWithTask {
          guard let (session, chosen) = try? await self.prepareSession(request) else { return nil }
          prepared.withLock { $0 = session }
          var headers = HTTPHeaders()
          if let chosen { headers.add(name: "Sec-WebSocket-Protocol", value: chosen) }
          return headers
        }
        return promise.futureResult
      },
      upgradePipelineHandler: { channel, _ in
        channel.eventLoop.makeCompletedFuture {
          guard let session = prepared.withLock({ $0 }) else { throw KubeletError(.io, "no prepared session") }
          try channel.pipeline.syncOperations.addHandler(WebSocketSessionHandler(session: session))
        }
      })
    try sync.configureHTTPServerPipeline(
      withPipeliningAssistance: true,
      withServerUpgrade: (
        upgraders: [upgrader],
        completionHandler: { context in
          _ = context.pipeline.removeHandler(name: KubeletHTTPHandler.name)
        }
      ),
      withErrorHandling: true)
    try sync.addHandler(
      KubeletHTTPHandler(peerCertificateDER: peer, route: { [self] in await self.handle($0) }),
      name: KubeletHTTPHandler.name)
  }
}
