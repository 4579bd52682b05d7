import ArgumentParser
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `skiff kubectl …`: the system kubectl with the admin kubeconfig, so that a fresh server is
/// usable without `--kubeconfig` (K3s's `k3s kubectl`). skiff bundles no kubectl of its own.
struct KubectlCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kubectl",
    abstract:
      "Run kubectl with the admin kubeconfig (/etc/skiff/skiff.yaml, ~/.skiff/skiff.yaml) unless KUBECONFIG is set.")

  @Argument(parsing: .captureForPassthrough, help: "kubectl's arguments.")
  var arguments: [String] = []

  func run() throws {
    throw KubectlLauncher(environment: ProcessInfo.processInfo.environment).exec(arguments)
  }
}

/// Finds kubectl and the kubeconfig, then replaces this process with kubectl: its exit status,
/// signals and terminal are then kubectl's own.
struct KubectlLauncher {
  let environment: [String: String]

  /// The kubeconfig to use, or nil to leave kubectl's own default: `$KUBECONFIG` and
  /// `--kubeconfig` win; otherwise the server's admin kubeconfig that this user can read.
  func kubeconfig(arguments: [String], isRoot: Bool = getuid() == 0) -> String? {
    if let set = environment["KUBECONFIG"], !set.isEmpty { return nil }
    if arguments.contains(where: { $0 == "--kubeconfig" || $0.hasPrefix("--kubeconfig=") }) { return nil }
    var candidates = ["/etc/skiff/skiff.yaml"]
    if let home = environment["HOME"], !home.isEmpty {
      let personal = "\(home)/.skiff/skiff.yaml"
      if isRoot { candidates.append(personal) } else { candidates.insert(personal, at: 0) }
    }
    return candidates.first { access($0, R_OK) == 0 }
  }

  /// kubectl on PATH, skipping any that is this very binary (a `kubectl -> skiff` link would loop).
  func kubectlPath() -> String? {
    let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let path = environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
      let candidate = "\(directory)/kubectl"
      guard FileManager.default.isExecutableFile(atPath: candidate) else { continue }
      if URL(fileURLWithPath: candidate).resolvingSymlinksInPath().path == own { continue }
      return candidate
    }
    return nil
  }

  /// Execs kubectl; returns only the error to exit with when that is impossible.
  func exec(_ arguments: [String]) -> Error {
    guard let kubectl = kubectlPath() else {
      FileHandle.standardError.write(
        Data(
          ("skiff kubectl: kubectl is not installed (not found on PATH); install kubectl 1.32 or newer into "
            + "/usr/local/bin and run this again\n").utf8))
      return ExitCode(127)
    }
    if let kubeconfig = kubeconfig(arguments: arguments) { setenv("KUBECONFIG", kubeconfig, 1) }
    let argv = ([kubectl] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    execv(kubectl, argv)
    let reason = String(cString: strerror(errno))
    FileHandle.standardError.write(Data("skiff kubectl: cannot run \(kubectl): \(reason)\n".utf8))
    return ExitCode(126)
  }
}
