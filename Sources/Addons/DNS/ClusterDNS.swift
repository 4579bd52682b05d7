import Foundation
import KubeClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SkiffCore
import Synchronization

/// Cluster DNS on every node, answered in-process from informer caches like CoreDNS would
/// answer from its own: the node holds the cluster DNS Service IP on a dummy interface and
/// serves it there, so pods reach it through their default route with no DNAT.
public final class ClusterDNS: Service, Sendable {
  public let configuration: ClusterDNSConfiguration
  /// The records queries are answered from; fed by the informers while `run` runs.
  public let records: ClusterRecords
  /// Feed `records`; nil when the caller feeds them itself.
  let informers: SharedInformers?
  let logger: Logger
  let clock: any WallClock
  let interfaces: DummyInterface
  /// Informers made for this server alone are stopped with it.
  let ownsInformers: Bool
  private let bound = Mutex<(addresses: [SocketAddress]?, waiters: [CheckedContinuation<[SocketAddress], Never>])>(
    (nil, []))

  public convenience init(
    client: KubeClient, configuration: ClusterDNSConfiguration = ClusterDNSConfiguration(),
    logger: Logger = Logger(label: "skiff.dns")
  ) throws {
    try self.init(
      informers: SharedInformers(client: client, logger: logger), configuration: configuration, logger: logger,
      clock: SystemClock(), ownsInformers: true)
  }

  /// Shares the agent's informers (services, endpointslices, namespaces).
  public convenience init(
    informers: SharedInformers, configuration: ClusterDNSConfiguration = ClusterDNSConfiguration(),
    logger: Logger = Logger(label: "skiff.dns"), clock: any WallClock = SystemClock()
  ) throws {
    try self.init(
      informers: informers, configuration: configuration, logger: logger, clock: clock, ownsInformers: false)
  }

  /// Serves `records` as the caller keeps them (no informers): benchmarks, embedding.
  public convenience init(
    records: ClusterRecords, configuration: ClusterDNSConfiguration = ClusterDNSConfiguration(),
    logger: Logger = Logger(label: "skiff.dns"), clock: any WallClock = SystemClock()
  ) throws {
    try self.init(
      informers: nil, configuration: configuration, logger: logger, clock: clock, ownsInformers: false,
      records: records)
  }

  init(
    informers: SharedInformers?, configuration: ClusterDNSConfiguration, logger: Logger, clock: any WallClock,
    ownsInformers: Bool, records: ClusterRecords = ClusterRecords()
  ) throws {
    self.ownsInformers = ownsInformers
    _ = try DNSName(configuration.clusterDomain)
    for address in configuration.listenAddresses { _ = try DNSEndpoint.parse(address) }
    guard IPAddress(configuration.serviceIP) != nil else {
      throw AddonsError(.invalidConfiguration, "invalid cluster DNS service IP \"\(configuration.serviceIP)\"")
    }
    self.configuration = configuration
    self.informers = informers
    self.logger = logger
    self.clock = clock
    self.records = records
    self.interfaces = DummyInterface(runner: IPCommandRunner(), namespace: configuration.networkNamespace)
  }

  /// The addresses actually listened on (ports resolved when 0 was asked), once bound; empty
  /// when starting failed (`run` throws why).
  public func listeningAddresses() async -> [SocketAddress] {
    await withCheckedContinuation { continuation in
      let ready = bound.withLock { state -> [SocketAddress]? in
        if let addresses = state.addresses { return addresses }
        state.waiters.append(continuation)
        return nil
      }
      if let ready { continuation.resume(returning: ready) }
    }
  }

  public func run() async throws {
    do {
      try await serve()
    } catch {
      announce([])
      throw error
    }
  }

  /// Tells `listeningAddresses` callers where the server listens (nothing, when it failed).
  private func announce(_ addresses: [SocketAddress]) {
    let waiters = bound.withLock { state in
      if state.addresses == nil { state.addresses = addresses }
      defer { state.waiters = [] }
      return state.waiters
    }
    for waiter in waiters { waiter.resume(returning: addresses) }
  }

  private func serve() async throws {
    let upstreams = try resolveUpstreams()
    let domain = try DNSName(configuration.clusterDomain)
    let zone = ClusterZone(
      domain: domain, records: records, ttl: configuration.ttl,
      nameServerAddresses: IPAddress(configuration.serviceIP).map { [$0] } ?? [],
      serial: UInt32(truncatingIfNeeded: clock.nowMilliseconds() / 1000))
    let cache = DNSCache(capacity: configuration.cacheSize, clock: clock)
    let timeout = TimeAmount.nanoseconds(
      configuration.upstreamTimeout.components.seconds * 1_000_000_000
        + configuration.upstreamTimeout.components.attoseconds / 1_000_000_000)
    let forwarder =
      upstreams.isEmpty ? nil : DNSForwarder(upstreams: upstreams, cache: cache, timeout: timeout, logger: logger)
    let queries = DNSQueryHandler(zone: zone, upstream: forwarder)
    subscribe()

    let placement = try configuration.interfaceName.map { name throws(AddonsError) in
      try interfaces.ensure(name: name, address: configuration.serviceIP)
    }
    var listeners: [DNSListener] = []
    do {
      for text in configuration.listenAddresses {
        let address = try DNSEndpoint.parse(text)
        let sockets = try configuration.networkNamespace.map { try NamespacedSockets.bind(address, in: $0) }
        listeners.append(
          try await DNSServer.bind(
            address, queries: queries, group: MultiThreadedEventLoopGroup.singleton, sockets: sockets))
      }
    } catch {
      for listener in listeners { await listener.close() }
      if let placement { try? interfaces.remove(placement) }
      if ownsInformers { informers?.stop() }
      throw AddonsError(.io, "cluster DNS cannot listen on \(configuration.listenAddresses): \(error)")
    }
    let addresses = listeners.compactMap(\.address)
    announce(addresses)
    logger.info(
      "cluster DNS serving",
      metadata: [
        "addresses": "\(addresses)", "domain": "\(configuration.clusterDomain)", "upstreams": "\(upstreams)",
      ])
    try? await gracefulShutdown()
    for listener in listeners { await listener.close() }
    if let placement { try? interfaces.remove(placement) }
    if ownsInformers { informers?.stop() }
    logger.info("cluster DNS stopped")
  }

  private func subscribe() {
    guard let informers else { return }
    let records = self.records
    informers.informer(.services).onEvent { event in
      if case .deleted = event {
        records.apply(service: event.object, deleted: true)
      } else {
        records.apply(service: event.object, deleted: false)
      }
    }
    informers.informer(.endpointSlices).onEvent { event in
      if case .deleted = event {
        records.apply(endpointSlice: event.object, deleted: true)
      } else {
        records.apply(endpointSlice: event.object, deleted: false)
      }
    }
    guard configuration.watchNamespaces else { return }
    informers.informer(.namespaces).onEvent { event in
      if case .deleted = event {
        records.apply(namespace: event.object, deleted: true)
      } else {
        records.apply(namespace: event.object, deleted: false)
      }
    }
  }

  private func resolveUpstreams() throws(AddonsError) -> [SocketAddress] {
    switch configuration.upstreams {
    case .none: return []
    case .servers(let servers): return try servers.map { text throws(AddonsError) in try DNSEndpoint.parse(text) }
    case .resolvConf(let path):
      let found = ResolvConf.upstreams(path: path) { try? String(contentsOfFile: $0, encoding: .utf8) }
      // Never forward to ourselves.
      let own = Set(configuration.listenAddresses.compactMap { try? DNSEndpoint.parse($0) })
      return found.compactMap { try? SocketAddress(ipAddress: $0.description, port: 53) }.filter { !own.contains($0) }
    }
  }
}
