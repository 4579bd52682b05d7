import Foundation
import Glibc
import SkiffTestSupport

@testable import Runtime

/// A runtime on a temporary data directory with the busybox test image imported.
/// Privileged tests use it; `skipReason` says why they cannot run here.
final class RuntimeFixture {
  let root: String
  let images: ImageStore
  let runtime: ContainerRuntime

  static var skipReason: String? {
    if geteuid() != 0 { return "needs root (namespaces, mounts, cgroups)" }
    if !TestImage.busyboxAvailable { return "needs Debian's busybox-static at /bin/busybox" }
    return nil
  }

  static var canRun: Bool { skipReason == nil }

  init() throws {
    root = try TestImage.temporaryDirectory("runtime")
    images = try ImageStore(root: root + "/images")
    runtime = try ContainerRuntime(root: root, images: images)
    let archive = root + "/busybox.tar"
    try TestImage.writeOCIArchive(to: archive)
    try images.importArchive(archive)
  }

  deinit {
    for status in runtime.list() { try? runtime.remove(status.id, force: true) }
    for sandbox in runtime.listSandboxes() { try? runtime.removeSandbox(id: sandbox.id) }
    try? FileSystem.removeTree(root)
  }

  /// Runs a container to completion and returns its status and log messages.
  func run(_ id: String, _ command: [String], configure: (inout ContainerSpec) -> Void = { _ in }) async throws
    -> (ContainerStatus, [String])
  {
    var spec = ContainerSpec(id: id, image: TestImage.name)
    spec.command = command
    configure(&spec)
    try runtime.create(spec)
    try runtime.start(id)
    let status = try await runtime.wait(id)
    return (status, try logMessages(id))
  }

  func logLines(_ id: String) throws -> [String] {
    try FileSystem.readString(try runtime.logPath(id)).split(separator: "\n").map(String.init)
  }

  /// The messages of the CRI log, without timestamp, stream and tag.
  func logMessages(_ id: String) throws -> [String] {
    try logLines(id).map { line in
      let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
      return parts.count > 3 ? String(parts[3]) : ""
    }
  }
}
