import Foundation
import KubeClient
import Kubelet
import Logging
import PKI
import Runtime
import ServiceLifecycle
import SkiffNetwork

/// Runs one node: joins the cluster (or reuses its certificates), then runs the kubelet and
/// keeps the certificates renewed. A server that cannot be reached yet is retried; a refusal
/// (wrong token, CA mismatch, node password) stops the agent with the server's reason.
struct AgentService: Service, CustomStringConvertible {
  let join: AgentJoin
  let configuration: KubeletConfiguration
  let runtime: ContainerRuntime
  /// The embedded agent talks to its own API server in-process instead of over TLS.
  let inProcessClient: KubeClient?
  let logger: Logger
  /// Called once the API server has this node's Node object (for `READY=1` to systemd).
  var onRegistered: (@Sendable () -> Void)? = nil
  /// Service proxy, network policy and cluster DNS for this node.
  var addons = AgentAddons()

  /// What service logs show: never the join token.
  var description: String { "AgentService(node: \(configuration.nodeName))" }

  func run() async throws {
    guard let credentials = try await joinWhenReachable() else { return }
    let transport = SwappableTransport(try HTTPTransport(credentials.transportCredentials))
    let client = inProcessClient ?? KubeClient(transport: transport)
    let kubelet = try Kubelet(client: client, runtime: runtime, configuration: configuration, logger: logger)
    let api = KubeletAPI(make: { [configuration, runtime] in
      var settings = KubeletServer.Configuration(
        nodeName: configuration.nodeName, certificateFile: credentials.paths.servingCertificate,
        keyFile: credentials.paths.servingKey, clientCAFile: credentials.paths.clientCA)
      settings.port = configuration.kubeletPort
      settings.rootDirectory = configuration.directory
      return KubeletServer(
        configuration: settings, runtime: runtime, locator: kubelet.locator, client: client,
        logger: Logger(label: "kubelet.server"))
    })
    try await api.restart()
    let addonServices = try addons.services(client: client, logger: logger)
    await withDiscardingTaskGroup { group in
      for service in addonServices {
        group.addTask {
          do { try await service.run() } catch {
            logger.error("node add-on stopped", metadata: ["service": "\(type(of: service))", "error": "\(error)"])
          }
        }
      }
      if let onRegistered {
        group.addTask { [configuration] in
          while !Task.isCancelled {
            if (try? await client.get(.nodes, name: configuration.nodeName)) != nil { return onRegistered() }
            try? await Task.sleep(for: .milliseconds(500))
          }
        }
      }
      group.addTask {
        await join.renewLoop(credentials) { renewed in
          if let replacement = try? HTTPTransport(renewed.transportCredentials) { transport.replace(replacement) }
          do {
            try await api.restart()
          } catch {
            logger.error("kubelet API did not restart with the renewed certificate", metadata: ["error": "\(error)"])
          }
          logger.info("renewed node certificates", metadata: ["node": "\(configuration.nodeName)"])
        }
      }
      do {
        try await kubelet.run()
      } catch {
        logger.error("kubelet failed", metadata: ["error": "\(error)"])
      }
      group.cancelAll()
    }
    await api.stop()
    if configuration.cleanupNetworkOnExit {
      for case let proxy as ServiceProxy in addonServices {
        do { try await proxy.applier.removeAll() } catch {
          logger.warning("cannot remove the service proxy's nftables table", metadata: ["error": "\(error)"])
        }
      }
    }
  }

  /// Joins, retrying every 2 s while the server is unreachable; nil when shutdown came first.
  private func joinWhenReachable() async throws -> NodeCredentials? {
    var warned = false
    while true {
      do {
        return try await join.join()
      } catch let error as KubeletError where error.code == .unavailable {
        if !warned {
          logger.warning("waiting for the server to join the cluster", metadata: ["reason": "\(error.message)"])
          warned = true
        }
        _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
        if Task.isCancelled || Task.isShuttingDownGracefully { return nil }
      }
    }
  }
}

/// The kubelet HTTPS API, restarted to pick up a renewed serving certificate.
actor KubeletAPI {
  let make: @Sendable () -> KubeletServer
  private var server: KubeletServer?

  init(make: @escaping @Sendable () -> KubeletServer) {
    self.make = make
  }

  func restart() async throws {
    await server?.stop()
    let next = make()
    try await next.start()
    server = next
  }

  func stop() async {
    await server?.stop()
    server = nil
  }
}
