import ArgumentParser
import SkiffCore

/// `skiff`: one binary for the server and, later, the agent.
public struct SkiffCommand: AsyncParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "skiff",
    abstract: "A small Kubernetes distribution for edge machines.",
    version: SkiffVersion.skiff,
    subcommands: [
      ServerCommand.self, AgentCommand.self, KubectlCommand.self, CheckConfigCommand.self, CtrCommand.self,
      HollowNodesCommand.self, TokenCommand.self, SecretsEncryptCommand.self, EtcdSnapshotCommand.self,
      CertificateCommand.self,
    ]
  )

  public init() {}

  /// Entry point: merges the config file and SKIFF_* variables into the arguments, then runs.
  public static func run(arguments: [String], environment: [String: String]) async {
    // kubectl's own flags (--help included) belong to kubectl, not to the argument parser.
    if arguments.first == "kubectl" {
      exit(withError: KubectlLauncher(environment: environment).exec(Array(arguments.dropFirst())))
    }
    do {
      let merged = try ConfigLoader(environment: environment).arguments(for: arguments)
      var command = try parseAsRoot(merged)
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
