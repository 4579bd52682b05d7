import Foundation
import GRPCCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
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
    let routes = Dictionary(uniqueKeysWithValues: methods.map { ($0.path, $0) })
    let maxMessageBytes = KVService.maxRequestBytes + 512 * 1024
    let tlsContext = try tls.map { tls in
      var config = TLSConfiguration.makeServerConfiguration(
        certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificate).map { .certificate($0) },
        privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.key, format: .pem)))
      config.trustRoots = .file(tls.clientCA)
      config.certificateVerification = .noHostnameVerification
      config.applicationProtocols = ["h2"]
      return try NIOSSLContext(configuration: config)
    }
    let connections = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 1024)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let key = ObjectIdentifier(channel)
          connections.withLockedValue { $0[key] = channel }
          channel.closeFuture.whenComplete { _ in connections.withLockedValue { _ = $0.removeValue(forKey: key) } }
          let pipeline = channel.pipeline.syncOperations
          if let tlsContext { try pipeline.addHandler(NIOSSLServerHandler(context: tlsContext)) }
          try pipeline.addHandler(NIOHTTP2Handler(mode: .server, initialSettings: GRPCConnectionHandler.settings))
          try pipeline.addHandler(GRPCConnectionHandler(routes: routes, maxMessageBytes: maxMessageBytes))
        }
      }
    let listener: Channel
    switch address {
    case .unix(let path):
      // A socket left by a crashed process would make bind fail.
      unlink(path)
      listener = try await bootstrap.bind(unixDomainSocketPath: path).get()
      chmod(path, 0o600)
    case .tcp(let host, let port):
      listener = try await bootstrap.bind(host: host, port: port).get()
    }
    logger.info(
      "etcd API listening",
      metadata: ["address": "\(address)", "bound": "\(listener.localAddress.map { "\($0)" } ?? "?")"])
    try await withTaskCancellationOrGracefulShutdownHandler {
      try await listener.closeFuture.get()
    } onCancelOrGracefulShutdown: {
      listener.close(promise: nil)
      for connection in connections.withLockedValue({ Array($0.values) }) { connection.close(promise: nil) }
    }
  }

  /// Every method of the etcd v3 API and gRPC health that skiff serves; others are UNIMPLEMENTED.
  private var methods: [GRPCMethod] {
    let kv = KVService(log: log, identity: identity)
    let watch = WatchService(log: log, identity: identity, progressInterval: progressInterval)
    let lease = LeaseService(log: log, identity: identity)
    let cluster = ClusterService(identity: identity, revision: { [log] in log.currentRevision })
    let maintenance = MaintenanceService(log: log, identity: identity)
    let health = HealthService(log: log)
    typealias KV = Etcdserverpb_KV.Method
    typealias Lease = Etcdserverpb_Lease.Method
    typealias Cluster = Etcdserverpb_Cluster.Method
    typealias Maintenance = Etcdserverpb_Maintenance.Method
    typealias Health = Grpc_Health_V1_Health.Method
    return [
      .unaryFramed(KV.Range.descriptor, kv.range(request:context:)),
      .unaryCallback(KV.Put.descriptor, kv.put(request:respond:)),
      .unaryCallback(KV.DeleteRange.descriptor, kv.deleteRange(request:respond:)),
      .unaryCallback(KV.Txn.descriptor, kv.txn(request:respond:)),
      .unary(KV.Compact.descriptor, kv.compact(request:context:)),
      .bidirectional(Etcdserverpb_Watch.Method.Watch.descriptor, watch.watch(request:response:context:)),
      .unary(Lease.LeaseGrant.descriptor, lease.leaseGrant(request:context:)),
      .unary(Lease.LeaseRevoke.descriptor, lease.leaseRevoke(request:context:)),
      .bidirectional(Lease.LeaseKeepAlive.descriptor, lease.leaseKeepAlive(request:response:context:)),
      .unary(Lease.LeaseTimeToLive.descriptor, lease.leaseTimeToLive(request:context:)),
      .unary(Lease.LeaseLeases.descriptor, lease.leaseLeases(request:context:)),
      .unary(Cluster.MemberAdd.descriptor, cluster.memberAdd(request:context:)),
      .unary(Cluster.MemberRemove.descriptor, cluster.memberRemove(request:context:)),
      .unary(Cluster.MemberUpdate.descriptor, cluster.memberUpdate(request:context:)),
      .unary(Cluster.MemberList.descriptor, cluster.memberList(request:context:)),
      .unary(Cluster.MemberPromote.descriptor, cluster.memberPromote(request:context:)),
      .unary(Maintenance.Alarm.descriptor, maintenance.alarm(request:context:)),
      .unary(Maintenance.Status.descriptor, maintenance.status(request:context:)),
      .unary(Maintenance.Defragment.descriptor, maintenance.defragment(request:context:)),
      .unary(Maintenance.Hash.descriptor, maintenance.hash(request:context:)),
      .unary(Maintenance.HashKV.descriptor, maintenance.hashKV(request:context:)),
      .serverStreaming(Maintenance.Snapshot.descriptor, maintenance.snapshot(request:response:context:)),
      .unary(Maintenance.MoveLeader.descriptor, maintenance.moveLeader(request:context:)),
      .unary(Health.Check.descriptor, health.check(request:context:)),
      .serverStreaming(Health.Watch.descriptor, health.watch(request:response:context:)),
    ]
  }
}
