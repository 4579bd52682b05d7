import Foundation
import KubeAPI
import KubeClient
import Logging
import Runtime
import ServiceLifecycle
import SkiffCore
import SkiffNetwork

/// The node agent: registers this machine as a Node, runs the pods bound to it on the
/// container runtime, and reports their status. Containers outlive the agent: stopping the
/// kubelet (or upgrading skiff) leaves them running, and the next start adopts them.
public final class Kubelet: Service, Sendable {
  public let configuration: KubeletConfiguration
  let client: KubeClient
  let runtime: ContainerRuntime
  let logger: Logger
  let pods: PodManager
  let events: EventRecorder
  let node: NodeAgent
  /// Nil without a pod network (`--network-backend none`).
  let network: NodeNetworkAgent?

  public init(
    client: KubeClient, runtime: ContainerRuntime, configuration: KubeletConfiguration,
    logger: Logger = Logger(label: "skiff.kubelet")
  ) throws {
    self.client = client
    self.runtime = runtime
    self.configuration = configuration
    self.logger = logger
    _ = try configuration.parsedTaints()
    for directory in [
      configuration.podsDirectory, configuration.manifestsDirectory, configuration.imagesDirectory,
      configuration.seccompDirectory,
    ] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    events = EventRecorder(client: client, component: "kubelet", host: configuration.nodeName, logger: logger)
    node = NodeAgent(
      client: client, configuration: configuration, images: runtime.images, clock: SystemClock(), logger: logger)
    if let settings = configuration.network, settings.backend != .none {
      network = NodeNetworkAgent(
        client: client, nodeName: configuration.nodeName,
        network: PodNetwork(configuration: settings, logger: logger), logger: logger)
    } else {
      network = nil
    }
    pods = PodManager(
      context: PodContext(
        client: client, runtime: runtime,
        volumes: PodVolumes(client: client, podsDirectory: configuration.podsDirectory, logger: logger),
        events: events, configuration: configuration, network: network?.network, logger: logger))
  }

  /// The node's pod network (nil with `--network-backend none`): the service proxy reads the
  /// node's pod CIDR from `podNetwork?.node?.podCIDR` and the cluster CIDR from its configuration.
  public var podNetwork: PodNetwork? { network?.network }

  /// What the kubelet API asks about running pods.
  public var locator: any PodLocator { pods }

  public func run() async throws {
    logger.info(
      "kubelet starting", metadata: ["node": "\(configuration.nodeName)", "cgroups": "\(runtime.cgroups.version)"])
    let recovered = runtime.recover()
    if !recovered.running.isEmpty {
      logger.info("adopting running containers", metadata: ["count": "\(recovered.running.count)"])
    }
    runtime.images.importDropped()
    await withDiscardingTaskGroup { group in
      group.addTask { await self.events.run() }
      group.addTask { await self.node.run() }
      group.addTask { await self.pods.run() }
      group.addTask {
        await StaticPods(client: self.client, configuration: self.configuration, logger: self.logger).run()
      }
      group.addTask { await self.runtime.images.watchDropDirectory() }
      if let network { group.addTask { await network.run() } }
      try? await gracefulShutdown()
      group.cancelAll()
    }
    if configuration.cleanupNetworkOnExit, let settings = configuration.network {
      do {
        let network = network?.network ?? PodNetwork(configuration: settings, logger: logger)
        try await Blocking.run { try network.removeAll() }
        logger.info("removed the pod network from this node")
      } catch {
        logger.error("could not remove the pod network", metadata: ["error": "\(error)"])
      }
    }
    logger.info("kubelet stopped; containers keep running")
  }
}
