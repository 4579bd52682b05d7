import KubeAPI
import KubeClient
import Logging
import SkiffCore

/// Brings the node's pod network up once the server has given the node a pod CIDR, publishes
/// the node's VTEP and IP in its annotations, and keeps the routes to the other nodes in step
/// with the Node objects (and with the kernel, rechecked every minute).
public final class NodeNetworkAgent: Sendable {
  let client: KubeClient
  let nodeName: String
  public let network: PodNetwork
  let overlay: Overlay
  let logger: Logger

  public init(client: KubeClient, nodeName: String, network: PodNetwork, logger: Logger) {
    self.client = client
    self.nodeName = nodeName
    self.network = network
    self.overlay = Overlay(configuration: network.configuration, kernel: network.kernel)
    self.logger = logger
  }

  /// Runs until cancelled.
  public func run() async {
    let informer = Informer(client: client, type: .nodes, logger: logger)
    let (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    informer.onEvent { _ in continuation.yield() }
    await withDiscardingTaskGroup { group in
      group.addTask { await informer.run() }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(60))
          continuation.yield()
        }
      }
      group.addTask {
        await informer.waitForSync()
        var warnedWaiting = false
        var failing = false
        for await _ in wakes {
          do {
            guard let own = informer.cache.get(namespace: nil, name: self.nodeName) else { continue }
            if self.network.node == nil {
              guard let text = own["spec"]?["podCIDR"]?.stringValue else {
                if !warnedWaiting {
                  self.logger.info("waiting for the server to assign this node a pod CIDR")
                  warnedWaiting = true
                }
                continue
              }
              guard let podCIDR = IPv4CIDR(text) else {
                throw NetworkError(.invalidConfiguration, "the node's spec.podCIDR \(text) is not an IPv4 CIDR")
              }
              try await self.prepare(podCIDR: podCIDR)
            }
            guard let node = self.network.node else { continue }
            // Every pass: recreates the VXLAN device if someone deleted it (cheap when it exists).
            let overlay = self.overlay
            let device = try await Blocking.run {
              try overlay.setUp(podCIDR: node.podCIDR, uplink: node.uplink, mtu: node.mtu)
            }
            try await self.publish(own, device: device)
            let peers = informer.cache.list().compactMap {
              OverlayPeer(node: $0, backend: self.network.configuration.backend)
            }
            let vtep = device
            let changes = try await Blocking.run {
              try overlay.reconcile(peers: peers, podCIDR: node.podCIDR, uplink: node.uplink, device: vtep)
            }
            if changes != Overlay.Changes() {
              self.logger.info(
                "overlay updated", metadata: ["added": "\(changes.added)", "removed": "\(changes.removed)"])
            }
            if failing { self.logger.info("overlay recovered") }
            failing = false
          } catch {
            if !failing { self.logger.error("pod network setup failed; retrying", metadata: ["error": "\(error)"]) }
            failing = true
            Task {
              try? await Task.sleep(for: .seconds(5))
              continuation.yield()
            }
          }
        }
      }
    }
    continuation.finish()
  }

  private func prepare(podCIDR: IPv4CIDR) async throws {
    let network = self.network
    try await Blocking.run { _ = try network.prepare(podCIDR: podCIDR) }
  }

  /// Patches this node's annotations when they differ from what the others need.
  private func publish(_ own: JSONValue, device: LinkInfo?) async throws {
    let wanted = OverlayPeer.annotations(
      backend: network.configuration.backend, publicIP: network.configuration.nodeIP, vtepMAC: device?.mac)
    let current = own.metadata.annotations ?? [:]
    guard wanted.contains(where: { current[$0.key] != $0.value }) else { return }
    let patch: JSONValue = ["metadata": ["annotations": .object(wanted.mapValues(JSONValue.string))]]
    try await client.patch(.nodes, name: nodeName, patch)
    logger.info("published node network annotations", metadata: ["vtep": "\(device?.mac.macText ?? "-")"])
  }
}
