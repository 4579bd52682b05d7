import Foundation
import SkiffTestSupport
import Testing

@testable import SkiffCLI

/// `skiff kubectl`: the real kubectl against a real `skiff server --disable-agent`.
@Suite(.serialized) struct KubectlCommandTests {
  static let kubectlInstalled = SkiffServerProcess.kubectlPath != nil

  private func startServer() async throws -> SkiffServerProcess {
    let server = try SkiffServerProcess()
    do {
      try await server.waitReady(etcd: false)
    } catch {
      server.stop()
      throw error
    }
    return server
  }

  @Test(.enabled(if: kubectlInstalled, "kubectl is not installed"))
  func usesKubeconfigAndPassesTheExitStatusThrough() async throws {
    let server = try await startServer()
    defer { server.stop() }
    var environment = ProcessInfo.processInfo.environment
    environment["KUBECONFIG"] = server.kubeconfig
    let ready = try await Command.run(
      SkiffServerProcess.binary, ["kubectl", "get", "--raw", "/readyz"], environment: environment, directory: nil)
    #expect(ready.status == 0, "\(ready.output)")
    #expect(ready.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
    // kubectl's own flags reach kubectl, not skiff's argument parser.
    let namespaces = try await Command.run(
      SkiffServerProcess.binary, ["kubectl", "get", "namespaces", "-o", "name", "--request-timeout=10s"],
      environment: environment, directory: nil)
    #expect(namespaces.output.contains("namespace/kube-system"), "\(namespaces.output)")
    let missing = try await Command.run(
      SkiffServerProcess.binary, ["kubectl", "get", "configmap", "no-such-thing"], environment: environment,
      directory: nil)
    #expect(missing.status == 1)
    #expect(missing.output.contains("NotFound") || missing.output.contains("not found"), "\(missing.output)")
  }

  /// Without KUBECONFIG, root gets /etc/skiff/skiff.yaml: shown through a private mount
  /// namespace whose /etc is a copy with the server's kubeconfig in it, so the host's /etc is untouched.
  @Test(.enabled(if: kubectlInstalled && Command.isRoot, "needs kubectl and root (mount namespace)"))
  func rootDefaultsToTheAdminKubeconfig() async throws {
    let server = try await startServer()
    defer { server.stop() }
    let work = try Command.temporaryDirectory("kubectl-etc")
    defer { try? FileManager.default.removeItem(atPath: work) }
    let script = """
      set -e
      mount -t tmpfs tmpfs "$WORK"
      cp -a /etc "$WORK/etc"
      mkdir -p "$WORK/etc/skiff"
      cp "$KC" "$WORK/etc/skiff/skiff.yaml"
      mount --bind "$WORK/etc" /etc
      unset KUBECONFIG
      exec "$SKIFF" kubectl get --raw /readyz
      """
    var environment = ProcessInfo.processInfo.environment
    environment["WORK"] = work
    environment["KC"] = server.kubeconfig
    environment["SKIFF"] = SkiffServerProcess.binary
    environment["KUBECONFIG"] = nil
    let result = try await Command.run(
      "/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/bash", "-c", script], environment: environment,
      directory: nil)
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
  }

  /// A user other than root gets ~/.skiff/skiff.yaml (what a non-root server writes).
  @Test(.enabled(if: kubectlInstalled && Command.isRoot, "needs kubectl and root (to switch users)"))
  func otherUsersDefaultToTheirOwnKubeconfig() async throws {
    let server = try await startServer()
    defer { server.stop() }
    let home = try Command.temporaryDirectory("kubectl-home")
    defer { try? FileManager.default.removeItem(atPath: home) }
    try FileManager.default.createDirectory(atPath: home + "/.skiff", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: server.kubeconfig, toPath: home + "/.skiff/skiff.yaml")
    for path in [home, home + "/.skiff", home + "/.skiff/skiff.yaml"] {
      try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: path)
    }
    // The binary must be reachable by nobody; copy it out of a possibly private build directory.
    let binary = home + "/skiff"
    do {
      try FileManager.default.linkItem(atPath: SkiffServerProcess.binary, toPath: binary)
    } catch {
      try FileManager.default.copyItem(atPath: SkiffServerProcess.binary, toPath: binary)
    }
    let environment = ["HOME": home, "PATH": "/usr/local/bin:/usr/bin:/bin"]
    let result = try await Command.run(
      "/usr/bin/setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", binary, "kubectl", "get", "--raw", "/readyz"],
      environment: environment, directory: home)
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
  }

  @Test func saysSoWhenKubectlIsNotInstalled() async throws {
    let empty = try Command.temporaryDirectory("no-kubectl")
    defer { try? FileManager.default.removeItem(atPath: empty) }
    let result = try await Command.run(
      SkiffServerProcess.binary, ["kubectl", "get", "pods"], environment: ["PATH": empty, "HOME": empty],
      directory: nil)
    #expect(result.status == 127)
    #expect(result.output.contains("kubectl is not installed"), "\(result.output)")
  }

  @Test func kubeconfigChoice() throws {
    let launcher = KubectlLauncher(environment: ["KUBECONFIG": "/somewhere", "HOME": "/home/x"])
    #expect(launcher.kubeconfig(arguments: []) == nil)
    let explicit = KubectlLauncher(environment: ["HOME": "/nonexistent-home"])
    #expect(explicit.kubeconfig(arguments: ["--kubeconfig=/x", "get", "pods"]) == nil)
    let home = try Command.temporaryDirectory("kubectl-choice")
    defer { try? FileManager.default.removeItem(atPath: home) }
    try FileManager.default.createDirectory(atPath: home + "/.skiff", withIntermediateDirectories: true)
    try "apiVersion: v1\n".write(toFile: home + "/.skiff/skiff.yaml", atomically: true, encoding: .utf8)
    let personal = KubectlLauncher(environment: ["HOME": home])
    #expect(personal.kubeconfig(arguments: ["get", "pods"], isRoot: false) == home + "/.skiff/skiff.yaml")
  }
}
