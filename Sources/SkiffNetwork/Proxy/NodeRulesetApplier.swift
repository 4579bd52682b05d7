import Logging
import Synchronization

/// Applies successive node rulesets: remembers what the last one wrote so the next transaction
/// carries only what changed (`NFTTable.update(from:)`), or rewrites the whole table in place
/// when asked (the periodic resync that repairs drift); affinity sets survive both. Then deletes
/// the UDP flows a change made stale. One sync at a time; `ServiceProxy` drives it from
/// informers, tests drive it directly.
public final class NodeRulesetApplier: Sendable {
  public let configuration: ProxyConfiguration
  public let nft: NFTables
  let conntrack: Conntrack
  let logger: Logger
  /// `inKernel`: the table the kernel is known to hold; nil after a failed apply.
  private let state = Mutex<(inKernel: NFTTable?, snapshot: ProxySnapshot, table: NFTTable?, syncs: Int)>(
    (nil, ProxySnapshot(), nil, 0))

  public init(
    configuration: ProxyConfiguration, networkNamespace: String? = nil, tableName: String = NFTTable.defaultName,
    logger: Logger = Logger(label: "skiff.proxy")
  ) {
    self.configuration = configuration
    nft = NFTables(networkNamespace: networkNamespace, tableName: tableName)
    conntrack = Conntrack(networkNamespace: networkNamespace, logger: logger)
    self.logger = logger
  }

  /// The table the last successful apply wrote, and how many applies succeeded.
  public var lastApplied: (table: NFTTable?, syncs: Int) { state.withLock { ($0.table, $0.syncs) } }

  /// Renders and applies one ruleset in one transaction, then flushes stale UDP flows.
  /// - Parameter full: rewrite the whole table rather than only what changed since the last apply.
  @discardableResult
  public func apply(proxy: ProxySnapshot, policy: PolicySnapshot?, full: Bool = false) async throws(NetworkError)
    -> NFTTable
  {
    let table = NodeRuleset.table(configuration: configuration, proxy: proxy, policy: policy, tableName: nft.tableName)
    let (previous, previousSnapshot) = state.withLock { ($0.inKernel, $0.snapshot) }
    let script =
      full
      ? table.script(replacing: previous?.inventory)
      : previous.flatMap(table.update(from:)) ?? table.script(replacing: previous?.inventory)
    do {
      if !script.isEmpty { try await nft.apply(script) }
    } catch {
      // What the kernel holds is unknown now: the next attempt replaces the whole table.
      state.withLock { $0.inKernel = nil }
      throw error
    }
    state.withLock { state in
      state = (table, proxy, table, state.syncs + 1)
    }
    for deletion in ConntrackPlan.deletions(from: previousSnapshot, to: proxy, configuration: configuration) {
      await conntrack.delete(deletion)
    }
    return table
  }

  /// Deletes the table; the next apply starts from scratch.
  public func removeAll() async throws(NetworkError) {
    try await nft.removeAll()
    state.withLock { $0.inKernel = nil }
  }
}
