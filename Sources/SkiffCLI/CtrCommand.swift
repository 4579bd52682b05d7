import ArgumentParser
import Foundation
import Logging
import Runtime

/// `skiff ctr`: operate the container runtime directly, like `k3s ctr`.
struct CtrCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ctr", abstract: "Manage images and containers of this node's runtime.",
    subcommands: [
      CtrImagesCommand.self, CtrRunCommand.self, CtrPsCommand.self, CtrLogsCommand.self, CtrExecCommand.self,
      CtrKillCommand.self, CtrRmCommand.self,
    ])
}

/// Options every `skiff ctr` command takes.
struct CtrOptions: ParsableArguments {
  @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
  var dataDir: String?

  var resolvedDataDir: String {
    if let dataDir { return dataDir }
    if getuid() == 0 { return "/var/lib/skiff" }
    return "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff"
  }

  var agentDirectory: String { resolvedDataDir + "/agent" }

  func imageStore() throws -> ImageStore {
    LoggingSystem.bootstrapOnce()
    return try ImageStore(root: agentDirectory + "/images")
  }

  func runtime() throws -> ContainerRuntime {
    try ContainerRuntime(root: agentDirectory, images: imageStore())
  }
}

extension LoggingSystem {
  private static let once: Void = { LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) } }()
  static func bootstrapOnce() { _ = once }
}

/// Turns runtime errors into a one-line message and a non-zero exit, without a usage dump.
func ctrFailure(_ error: Error) -> Error {
  if let error = error as? RuntimeError {
    FileHandle.standardError.write(Data("skiff ctr: \(error.message)\n".utf8))
    return ExitCode(1)
  }
  return error
}

/// Runs a body and reports runtime errors plainly.
func ctrRun<T>(_ body: () throws -> T) throws -> T {
  do { return try body() } catch { throw ctrFailure(error) }
}
