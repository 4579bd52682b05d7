import KubeAPI
import KubeClient
import Logging
import ServiceLifecycle

/// Keeps the node's `skiff` nftables table in step with the API: Services and EndpointSlices
/// (service proxy), NetworkPolicies (policy), and the pod-network NAT. Informer events only mark
/// the state dirty; a single loop syncs at most once per `minSyncInterval`, so a burst of
/// changes costs one `nft -f` transaction, plus a full resync every `resyncInterval`.
public final class ServiceProxy: Service, Sendable {
  public struct Options: Sendable, Equatable {
    public var serviceProxy: Bool
    public var networkPolicy: Bool
    public var minSyncInterval: Duration
    public var resyncInterval: Duration

    public init(
      serviceProxy: Bool = true, networkPolicy: Bool = true, minSyncInterval: Duration = .milliseconds(100),
      resyncInterval: Duration = .seconds(60)
    ) {
      self.serviceProxy = serviceProxy
      self.networkPolicy = networkPolicy
      self.minSyncInterval = minSyncInterval
      self.resyncInterval = resyncInterval
    }
  }

  public static let networkPolicies = ResourceType(
    group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy")

  public let configuration: ProxyConfiguration
  public let options: Options
  let informers: SharedInformers
  public let applier: NodeRulesetApplier
  let logger: Logger
  private let dirty: AsyncStream<Void>
  private let markDirty: AsyncStream<Void>.Continuation

  /// - Parameters:
  ///   - networkNamespace: run nft and conntrack inside this netns (tests); nil for the host.
  public init(
    informers: SharedInformers, configuration: ProxyConfiguration, options: Options = Options(),
    networkNamespace: String? = nil, logger: Logger = Logger(label: "skiff.proxy")
  ) throws(NetworkError) {
    try configuration.validate()
    self.informers = informers
    self.configuration = configuration
    self.options = options
    self.logger = logger
    applier = NodeRulesetApplier(configuration: configuration, networkNamespace: networkNamespace, logger: logger)
    let stream = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    dirty = stream.stream
    markDirty = stream.continuation
  }

  /// Builds its own informers on `client`.
  public convenience init(
    client: KubeClient, nodeName: String, nodeIPs: [String], clusterCIDR: String = "10.42.0.0/16",
    serviceCIDR: String = "10.43.0.0/16", nodePortRange: ClosedRange<Int> = 30000...32767,
    localServiceIPs: Set<String> = ["10.43.0.10"], options: Options = Options(), networkNamespace: String? = nil,
    logger: Logger = Logger(label: "skiff.proxy")
  ) throws(NetworkError) {
    try self.init(
      informers: SharedInformers(client: client, logger: logger),
      configuration: ProxyConfiguration(
        nodeName: nodeName, nodeIPs: nodeIPs, clusterCIDR: clusterCIDR, serviceCIDR: serviceCIDR,
        nodePortRange: nodePortRange, localServiceIPs: localServiceIPs),
      options: options, networkNamespace: networkNamespace, logger: logger)
  }

  /// The table the last successful sync applied, and how many syncs succeeded.
  public var lastApplied: (table: NFTTable?, syncs: Int) { applier.lastApplied }

  public func run() async throws {
    var types: [ResourceType] = [.pods, .services]
    if options.serviceProxy { types.append(.endpointSlices) }
    if options.networkPolicy { types += [.namespaces, Self.networkPolicies] }
    for type in types {
      informers.informer(type).onEvent { [markDirty] _ in markDirty.yield() }
    }
    logger.info(
      "service proxy starting",
      metadata: ["node": "\(configuration.nodeName)", "policy": "\(options.networkPolicy)"])
    await withDiscardingTaskGroup { group in
      group.addTask {
        await self.informers.waitForSync()
        self.markDirty.yield()
        while !Task.isCancelled {
          try? await Task.sleep(for: self.options.resyncInterval)
          self.markDirty.yield()
        }
      }
      group.addTask { await self.syncLoop() }
      try? await gracefulShutdown()
      markDirty.finish()
      group.cancelAll()
    }
    informers.stop()
    logger.info("service proxy stopped; the ruleset stays in place until `skiff killall`")
  }

  private func syncLoop() async {
    await informers.waitForSync()
    let clock = ContinuousClock()
    var last = clock.now - options.minSyncInterval
    var lastFull = clock.now
    var backoff = Duration.milliseconds(500)
    for await _ in dirty {
      let wait = last + options.minSyncInterval - clock.now
      if wait > .zero { try? await Task.sleep(for: wait) }
      if Task.isCancelled { break }
      last = clock.now
      let full = last - lastFull >= options.resyncInterval
      do {
        try await sync(full: full)
        if full { lastFull = last }
        backoff = .milliseconds(500)
      } catch {
        logger.error("service proxy sync failed; retrying", metadata: ["error": "\(error)"])
        try? await Task.sleep(for: backoff)
        backoff = min(backoff * 2, .seconds(30))
        markDirty.yield()
      }
    }
  }

  /// Renders the current informer state and applies it in one transaction: only what changed
  /// since the last sync, or the whole table when `full` (the periodic resync, which also puts
  /// back whatever someone else changed in skiff's table).
  public func sync(full: Bool = false) async throws(NetworkError) {
    let services = informers.cache(.services).list()
    let pods = informers.cache(.pods).list()
    let proxy = ProxySnapshot(
      services: options.serviceProxy ? services : [],
      endpointSlices: options.serviceProxy ? informers.cache(.endpointSlices).list() : [], pods: pods,
      nodeName: configuration.nodeName)
    let policy =
      options.networkPolicy
      ? PolicySnapshot(
        policies: informers.cache(Self.networkPolicies).list(), pods: pods,
        namespaces: informers.cache(.namespaces).list(), services: services,
        localServiceIPs: configuration.localServiceIPs) : nil
    let start = ContinuousClock.now
    let table = try await applier.apply(proxy: proxy, policy: policy, full: full)
    logger.debug(
      "service proxy synced",
      metadata: [
        "rules": "\(table.ruleCount)", "elements": "\(table.elementCount)", "full": "\(full)",
        "took": "\(ContinuousClock.now - start)",
      ])
  }
}
