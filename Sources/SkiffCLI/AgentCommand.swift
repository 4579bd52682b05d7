import ArgumentParser
import Foundation
import Kubelet
import Logging
import PKI
import Runtime
import ServiceLifecycle
import SkiffCore

/// `skiff agent`: joins this machine to a cluster as a node and runs its pods.
struct AgentCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agent", abstract: "Run the skiff agent: join a cluster as a node and run its pods.")

  @Option(help: "Config file (default /etc/skiff/config.yaml, or $SKIFF_CONFIG_FILE).")
  var config: String?

  @Option(
    name: [.customLong("server"), .customLong("url")], help: "The server to join, https://HOST:6443 ($SKIFF_URL).")
  var server: String?

  @Option(help: "Join token: K10<ca-hash>::server:<secret> or a bootstrap token ($SKIFF_TOKEN).")
  var token: String?

  @Option(help: "File holding the join token ($SKIFF_TOKEN_FILE).")
  var tokenFile: String?

  @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
  var dataDir: String?

  @Option(help: "Pod IP range of the cluster (the server's --cluster-cidr).")
  var clusterCidr = "10.42.0.0/16"

  @Option(help: "Service IP range of the cluster (the server's --service-cidr).")
  var serviceCidr = "10.43.0.0/16"

  @OptionGroup(title: "Node")
  var agent: AgentOptions

  @Flag(help: "Log at debug level.")
  var debug = false

  /// Only the form of what was given: the config loader parses one setting at a time, so
  /// required settings are checked when the agent runs.
  func validate() throws {
    if let server, !server.hasPrefix("https://") {
      throw ValidationError("--server must be an https:// URL (agents only talk TLS to servers): got \(server)")
    }
  }

  func run() async throws {
    guard let server else {
      throw ValidationError("--server (or SKIFF_URL) is required: the https://HOST:6443 to join")
    }
    if token == nil && tokenFile == nil {
      throw ValidationError("--token or --token-file (SKIFF_TOKEN / SKIFF_TOKEN_FILE) is required to join")
    }
    LogfmtHandler.bootstrap(debug: debug)
    let logger = Logger(label: "skiff.agent")
    let dataDir =
      dataDir ?? (getuid() == 0 ? "/var/lib/skiff" : "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff")
    let text: String
    if let token {
      text = token
    } else {
      guard let contents = try? String(contentsOfFile: tokenFile ?? "", encoding: .utf8) else {
        throw ValidationError("cannot read the token file \(tokenFile ?? "")")
      }
      text = contents
    }
    let joinToken: JoinToken
    do {
      joinToken = try JoinToken(parsing: text)
    } catch {
      throw ValidationError("invalid join token: \(error)")
    }
    let configuration = try agent.kubeletConfiguration(dataDir: dataDir, clusterCIDR: clusterCidr)
    let runtime: Runtime.ContainerRuntime
    do {
      runtime = try agent.runtime(dataDir: dataDir)
    } catch {
      throw ValidationError("cannot run containers on this machine: \(error)")
    }
    let join = AgentJoin(
      server: server, token: joinToken, nodeName: configuration.nodeName, nodeIPs: [configuration.nodeIP],
      dataDirectory: dataDir, logger: logger)
    let (registered, registration) = AsyncStream<Void>.makeStream()
    var service = AgentService(
      join: join, configuration: configuration, runtime: runtime, inProcessClient: nil, logger: logger)
    service.onRegistered = { registration.finish() }
    service.addons = agent.addons(
      nodeName: configuration.nodeName, nodeIP: configuration.nodeIP, clusterCIDR: clusterCidr,
      serviceCIDR: serviceCidr)
    let notify = SystemdNotifyService(
      notifier: SystemdNotifier(), status: "node \(configuration.nodeName) registered",
      ready: { for await _ in registered {} })
    let group = ServiceGroup(
      configuration: .init(
        services: [.init(service: service), .init(service: notify)], gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    do {
      try await group.run()
    } catch let error as KubeletError {
      FileHandle.standardError.write(Data("skiff agent: \(error.message)\n".utf8))
      throw ExitCode(1)
    }
  }
}
