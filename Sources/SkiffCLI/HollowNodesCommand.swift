import ArgumentParser
import Foundation
import HollowNodes
import KubeClient
import Logging

/// `skiff hollow-nodes`: simulated nodes for control-plane scale tests (like kubemark). Hidden:
/// it registers fake capacity, so it is for test clusters only.
struct HollowNodesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hollow-nodes",
    abstract: "Register simulated nodes that run bound pods without containers (scale testing).",
    shouldDisplay: false)

  @Option(help: "Kubeconfig of the cluster to join.")
  var kubeconfig: String

  @Option(help: "How many nodes.")
  var count = 10

  @Option(help: "Node name prefix; nodes are <prefix>0, <prefix>1, ….")
  var namePrefix = "hollow-node-"

  @Option(help: "CPU capacity of each node.")
  var cpu = "4"

  @Option(help: "Memory capacity of each node.")
  var memory = "16Gi"

  @Option(help: "Pod capacity of each node.")
  var maxPods: Int64 = 110

  func run() async throws {
    LoggingSystem.bootstrapOnce()
    let transport = try HTTPTransport(HTTPTransport.Credentials(kubeconfig: kubeconfig))
    var configuration = HollowNodes.Configuration(count: count)
    configuration.namePrefix = namePrefix
    configuration.cpu = cpu
    configuration.memory = memory
    configuration.pods = maxPods
    let nodes = HollowNodes(client: KubeClient(transport: transport), configuration: configuration)
    let run = Task { await nodes.run() }
    let signals = [SIGTERM, SIGINT].map { signal in
      Foundation.signal(signal, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signal)
      source.setEventHandler { run.cancel() }
      source.resume()
      return source
    }
    await run.value
    // Using the sources here keeps them alive until now (an unused binding may be released early).
    for source in signals { source.cancel() }
  }
}
