import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle
import Store

/// The etcd v3 gRPC API over the revision log, so etcdctl and etcd clients work against skiff.
public struct EtcdServer: Service {
  /// PEM files for mutual TLS; required when listening beyond loopback.
  public struct TLSFiles: Sendable {
    public var certificate: String
    public var key: String
    public var clientCA: String
    public init(certificate: String, key: String, clientCA: String) {
      self.certificate = certificate
      self.key = key
      self.clientCA = clientCA
    }
  }

  let log: RevisionLog
  let address: EtcdListenAddress
  let tls: TLSFiles?
  let identity: EtcdIdentity
  let progressInterval: Duration
  let logger: Logger

  public init(
    log: RevisionLog, address: EtcdListenAddress, tls: TLSFiles?, identity: EtcdIdentity,
    progressInterval: Duration = .seconds(600), logger: Logger = Logger(label: "etcd")
  ) throws {
    if !address.isLocal && tls == nil {
      throw EtcdServerError.tlsRequired(
        "--etcd-listen \(address) is reachable from other machines: give --etcd-cert-file, --etcd-key-file and --etcd-client-ca-file so only clients with certificates can read the cluster's data"
      )
    }
    self.log = log
    self.address = address
    self.tls = tls
    self.identity = identity
    self.progressInterval = progressInterval
    self.logger = logger
  }

  public func run() async throws {
    let socketAddress: GRPCNIOTransportCore.SocketAddress
    switch address {
    case .unix(let path):
      // A socket left by a crashed process would make bind fail.
      unlink(path)
      socketAddress = .unixDomainSocket(path: path)
    case .tcp(let host, let port):
      socketAddress = host.contains(":") ? .ipv6(host: host, port: port) : .ipv4(host: host, port: port)
    }
    let security: HTTP2ServerTransport.Posix.TransportSecurity =
      if let tls {
        .mTLS(
          certificateChain: [.file(path: tls.certificate, format: .pem)],
          privateKey: .file(path: tls.key, format: .pem)
        ) { config in
          config.trustRoots = .certificates([.file(path: tls.clientCA, format: .pem)])
          config.clientCertificateVerification = .noHostnameVerification
        }
      } else {
        .plaintext
      }
    let transport = HTTP2ServerTransport.Posix(
      address: socketAddress, transportSecurity: security,
      config: .defaults { config in
        // etcd accepts 1.5 MiB requests plus gRPC overhead; larger ones are refused by gRPC.
        config.rpc.maxRequestPayloadSize = KVService.maxRequestBytes + 512 * 1024
        // clientv3 pings every few seconds, even without calls in flight.
        config.connection.keepalive.clientBehavior = .init(
          minPingIntervalWithoutCalls: .seconds(1), allowWithoutCalls: true)
        // Batch response writes per connection: fewer syscalls under load, at most 100 µs later.
        config.connection.flushCoalescing = .defaults
      })
    let server = GRPCServer(
      transport: transport,
      services: [
        KVService(log: log, identity: identity),
        WatchService(log: log, identity: identity, progressInterval: progressInterval),
        LeaseService(log: log, identity: identity),
        ClusterService(identity: identity, revision: { [log] in log.currentRevision }),
        MaintenanceService(log: log, identity: identity),
        HealthService(log: log),
      ])
    try await withGracefulShutdownHandler {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.serve() }
        group.addTask {
          let bound = try await transport.listeningAddress
          if case .unix(let path) = address { chmod(path, 0o600) }
          logger.info("etcd API listening", metadata: ["address": "\(address)", "bound": "\(bound)"])
        }
        try await group.waitForAll()
      }
    } onGracefulShutdown: {
      server.beginGracefulShutdown()
    }
  }
}
