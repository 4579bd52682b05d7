import ArgumentParser
import Foundation
import Runtime

/// `skiff ctr run`: create and start a container; foreground by default with stdio passed
/// through and the container's exit code as ours.
struct CtrRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a container.")
  @OptionGroup var options: CtrOptions
  @Flag(help: "Remove the container when it exits.") var rm = false
  @Flag(name: .shortAndLong, help: "Run in the background and print the container ID.") var detach = false
  @Option(help: "Memory limit in bytes.") var memory: Int64?
  @Option(help: "CPU limit in cores (e.g. 0.5).") var cpus: Double?
  @Option(help: "Maximum number of processes.") var pidsLimit: Int64?
  @Option(name: .customLong("env"), help: "Environment variable KEY=VALUE (repeatable).") var env: [String] = []
  @Option(help: "UID[:GID] or NAME[:GROUP] from the image.") var user: String?
  @Option(help: "Working directory.") var cwd: String?
  @Flag(help: "Mount the root filesystem read-only.") var readOnly = false
  @Option(help: "runtime-default, unconfined, or a profile file.") var seccompProfile = "runtime-default"
  @Option(help: "Add a capability (repeatable).") var capAdd: [String] = []
  @Option(help: "Drop a capability (repeatable).") var capDrop: [String] = []
  @Flag(help: "Run privileged (all capabilities, no seccomp, no masked paths).") var privileged = false
  @Flag(help: "Set no_new_privs.") var noNewPrivileges = false
  @Option(help: "host or none.") var net = "none"
  @Option(help: "Bind mount SRC:DST[:ro] (repeatable).") var mount: [String] = []
  @Argument(help: "Image reference.") var image: String
  @Argument(help: "Container ID.") var id: String
  @Argument(parsing: .captureForPassthrough, help: "Command and arguments (default: the image's).")
  var command: [String] = []

  func validate() throws {
    guard net == "host" || net == "none" else { throw ValidationError("--net must be host or none") }
  }

  func run() throws {
    let runtime = try ctrRun { try options.runtime() }
    var spec = ContainerSpec(id: id, image: image)
    if !command.isEmpty { spec.command = command }
    spec.env = env
    spec.workingDir = cwd
    if let user {
      let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
      spec.user = ContainerSpec.UserSpec(user: parts[0], group: parts.count > 1 ? parts[1] : nil)
    }
    spec.resources.memoryLimit = memory
    spec.resources.pidsLimit = pidsLimit
    if let cpus {
      spec.resources.cpuQuota = Int64(cpus * 100_000)
      spec.resources.cpuShares = UInt64(max(2, cpus * 1024))
    }
    spec.security.readOnlyRootFilesystem = readOnly
    spec.security.capabilitiesAdd = capAdd
    spec.security.capabilitiesDrop = capDrop
    spec.security.privileged = privileged
    spec.security.noNewPrivileges = noNewPrivileges
    switch seccompProfile {
    case "runtime-default", "RuntimeDefault": spec.security.seccomp = .runtimeDefault
    case "unconfined", "Unconfined": spec.security.seccomp = .unconfined
    default: spec.security.seccomp = .localhost(seccompProfile)
    }
    spec.network = net == "host" ? .host : .none
    for entry in mount {
      let parts = entry.split(separator: ":").map(String.init)
      guard parts.count >= 2 else { throw ValidationError("--mount takes SRC:DST[:ro]") }
      spec.mounts.append(.init(source: parts[0], destination: parts[1], readOnly: parts.count > 2 && parts[2] == "ro"))
    }
    spec.stdin = !detach
    try ctrRun {
      try runtime.create(spec, foreground: !detach)
      try runtime.start(id)
    }
    if detach {
      print(id)
      return
    }
    // The shim forwards Ctrl-C and friends to the container; we wait for it to exit.
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let status = try ctrRun { try runtime.waitBlocking(id, timeout: .infinity) }
    if rm { try? runtime.remove(id, force: true) }
    if let status, status.reason == "OOMKilled" {
      FileHandle.standardError.write(Data("skiff ctr: container \(id) was OOM-killed\n".utf8))
    }
    throw ExitCode(status?.exitCode ?? 255)
  }
}
