import Foundation
import KubeClient
import Kubelet
import Logging
import PKI
import Runtime
import ServiceLifecycle

/// Runs one node: joins the cluster (or reuses its certificates), then runs the kubelet and
/// keeps the certificates renewed. A server that cannot be reached yet is retried; a refusal
/// (wrong token, CA mismatch, node password) stops the agent with the server's reason.
struct AgentService: Service {
  let join: AgentJoin
  let configuration: KubeletConfiguration
  let runtime: ContainerRuntime
  /// The embedded agent talks to its own API server in-process instead of over TLS.
  let inProcessClient: KubeClient?
  let logger: Logger

  func run() async throws {
    guard let credentials = try await joinWhenReachable() else { return }
    let transport = SwappableTransport(try HTTPTransport(credentials.transportCredentials))
    let client = inProcessClient ?? KubeClient(transport: transport)
    let kubelet = try Kubelet(client: client, runtime: runtime, configuration: configuration, logger: logger)
    await withDiscardingTaskGroup { group in
      group.addTask {
        await join.renewLoop(credentials) { renewed in
          if let replacement = try? HTTPTransport(renewed.transportCredentials) { transport.replace(replacement) }
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
