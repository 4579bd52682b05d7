import Logging
import Synchronization

/// Applies successive node rulesets: remembers what the last one wrote so the next is an
/// incremental transaction (affinity sets survive), and deletes the UDP flows a change made
/// stale. One sync at a time; `ServiceProxy` drives it from informers, tests drive it directly.
public final class NodeRulesetApplier: Sendable {
  public let configuration: ProxyConfiguration
  public let nft: NFTables
  let conntrack: Conntrack
  let logger: Logger
  private let state = Mutex<(inventory: NFTInventory?, snapshot: ProxySnapshot, table: NFTTable?, syncs: Int)>(
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
  @discardableResult
  public func apply(proxy: ProxySnapshot, policy: PolicySnapshot?) async throws(NetworkError) -> NFTTable {
    let table = NodeRuleset.table(configuration: configuration, proxy: proxy, policy: policy, tableName: nft.tableName)
    let (previous, previousSnapshot) = state.withLock { ($0.inventory, $0.snapshot) }
    do {
      try await nft.apply(table.script(replacing: previous))
    } catch {
      // What the kernel holds is unknown now: the next attempt replaces the whole table.
      state.withLock { $0.inventory = nil }
      throw error
    }
    state.withLock { state in
      state = (table.inventory, proxy, table, state.syncs + 1)
    }
    for deletion in ConntrackPlan.deletions(from: previousSnapshot, to: proxy, configuration: configuration) {
      await conntrack.delete(deletion)
    }
    return table
  }

  /// Deletes the table; the next apply starts from scratch.
  public func removeAll() async throws(NetworkError) {
    try await nft.removeAll()
    state.withLock { $0.inventory = nil }
  }
}
