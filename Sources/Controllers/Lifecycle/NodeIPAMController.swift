import KubeAPI
import KubeClient
import SkiffCore
import Synchronization

/// Gives each node a /24 of the cluster CIDR in `spec.podCIDR`(s), the range its pods' addresses
/// come from. Ranges in use are learnt from the nodes themselves, so a restarted or new leader
/// never hands one out twice, and remembered here until the cache shows them.
public final class NodeIPAMController: Controller {
  public let name = "nodeipam"
  let context: ControllerContext
  let queue = WorkQueue()
  private let handedOut = Mutex<Set<String>>([])

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let nodes = context.informers.informer(.nodes)
    nodes.onEvent { [queue, self] event in
      if case .deleted(let node) = event, let cidr = node["spec"]?["podCIDR"]?.stringValue {
        self.handedOut.withLock { _ = $0.remove(cidr) }
        return
      }
      if event.object["spec"]?["podCIDR"]?.stringValue == nil { queue.add(event.object.metadata.name ?? "") }
    }
    await context.informers.waitForSync()
    // One worker: two nodes must never be handed the same range.
    await queue.run(workers: 1) { key in try await self.sync(key) }
  }

  func sync(_ name: String) async throws {
    guard var node = context.informers.cache(.nodes).get(name), node["spec"]?["podCIDR"] == nil else { return }
    guard let cluster = IPv4CIDR(context.settings.clusterCIDR), cluster.prefix <= 24 else {
      throw KubeClientError.invalidResponse(
        "cluster CIDR \(context.settings.clusterCIDR) is not an IPv4 range of /24 or larger")
    }
    let used = Set(context.informers.cache(.nodes).list().compactMap { $0["spec"]?["podCIDR"]?.stringValue })
      .union(handedOut.withLock { $0 })
    let count = 1 << (24 - cluster.prefix)
    guard let free = (0..<count).lazy.map({ cluster.subnet24($0) }).first(where: { !used.contains($0) }) else {
      context.recorder.record(
        node, .warning, reason: "CIDRNotAvailable", message: "Node \(name) status is now: CIDRNotAvailable")
      return
    }
    node["spec"]?["podCIDR"] = .string(free)
    node["spec"]?["podCIDRs"] = [.string(free)]
    try await context.client.update(.nodes, node)
    handedOut.withLock { _ = $0.insert(free) }
    context.recorder.record(node, reason: "CIDRAssignmentSucceeded", message: "Node \(name) got CIDR \(free)")
  }
}

extension IPv4CIDR {
  /// The `index`-th /24 inside this range.
  func subnet24(_ index: Int) -> String {
    IPv4CIDR(network: network + UInt32(index) << 8, prefix: 24).description
  }
}
