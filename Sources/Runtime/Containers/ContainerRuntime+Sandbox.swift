import CRuntime
import Foundation
import Glibc

/// How a pod's shared namespaces are set up.
public struct SandboxOptions: Codable, Sendable, Equatable {
  public var hostname: String
  /// Containers share one pid namespace (`shareProcessNamespace: true`).
  public var sharePID: Bool
  /// The pod uses the host's network namespace (`hostNetwork: true`).
  public var hostNetwork: Bool
  /// The pod's cgroup the pause process's nests under (see `ContainerSpec.cgroupParent`).
  public var cgroupParent: String?

  public init(hostname: String, sharePID: Bool = false, hostNetwork: Bool = false, cgroupParent: String? = nil) {
    self.hostname = hostname
    self.sharePID = sharePID
    self.hostNetwork = hostNetwork
    self.cgroupParent = cgroupParent
  }

  func cgroupName(sandbox id: String) -> String { cgroupParent.map { "\($0)/sandbox-\(id)" } ?? "sandbox-\(id)" }
}

/// A running pod sandbox: the pause process that holds the namespaces.
public struct Sandbox: Codable, Sendable, Equatable {
  public var id: String
  public var pid: Int32
  public var options: SandboxOptions
  public var createdAt: Date
  /// Process start time (from /proc/<pid>/stat), so a recycled pid is never taken for ours.
  var startTime: UInt64

  /// `/proc/<pid>/ns/net`, for the network plugin to configure the pod's interfaces.
  public var networkNamespacePath: String { "/proc/\(pid)/ns/net" }

  public var isAlive: Bool { ProcessInfoReader.startTime(pid) == startTime }
}

extension ContainerRuntime {
  func sandboxDirectory(_ id: String) -> String { "\(root)/sandboxes/\(id)" }

  /// Starts a pause process in new network, IPC and UTS namespaces (and pid, when shared).
  @discardableResult
  public func createSandbox(id: String, options: SandboxOptions) throws -> Sandbox {
    try Self.validate(id: id)
    let directory = sandboxDirectory(id)
    guard mkdir(directory, 0o700) == 0 else {
      if errno == EEXIST { throw RuntimeError(.alreadyExists, "pod sandbox \"\(id)\" already exists") }
      throw RuntimeError.io("cannot create \(directory)", errno: errno)
    }
    do {
      let cgroupName = options.cgroupName(sandbox: id)
      try cgroups.create(cgroupName, resources: ContainerSpec.Resources())
      var encoder = SpecEncoder()
      encoder.add("hostname", options.hostname)
      encoder.flag("share_pid", options.sharePID)
      encoder.flag("host_network", options.hostNetwork)
      for file in cgroups.procsFiles(cgroupName) { encoder.add("cgroup_procs", file) }
      let specFD = try ProcessSpawner.specFile(encoder.bytes)
      defer { close(specFD) }
      var pipeFDs: [Int32] = [0, 0]
      guard skiff_pipe(&pipeFDs) == 0 else { throw RuntimeError.io("cannot create a pipe", errno: errno) }
      let spawned = try ProcessSpawner.spawn(
        shim, mode: "__sandbox", fds: [-1, -1, -1, specFD, pipeFDs[1]], newSession: false)
      close(pipeFDs[1])
      let reply = ProcessSpawner.readAll(pipeFDs[0])
      close(pipeFDs[0])
      _ = ProcessSpawner.waitExit(spawned)
      guard reply.hasPrefix("ok "), let pid = Int32(reply.dropFirst(3).trimmed) else {
        throw RuntimeError(.failedPrecondition, "cannot create pod sandbox \"\(id)\": \(reply.dropFirst(6).trimmed)")
      }
      let sandbox = Sandbox(
        id: id, pid: pid, options: options, createdAt: Date(), startTime: ProcessInfoReader.startTime(pid) ?? 0)
      let encoderJSON = JSONEncoder()
      encoderJSON.dateEncodingStrategy = .iso8601
      try FileSystem.writeAtomically(directory + "/sandbox.json", Array(try encoderJSON.encode(sandbox)))
      return sandbox
    } catch {
      try? cgroups.destroy(options.cgroupName(sandbox: id))
      try? FileSystem.removeTree(directory)
      throw error
    }
  }

  public func loadSandbox(_ id: String) throws -> Sandbox {
    guard let bytes = try? FileSystem.read(sandboxDirectory(id) + "/sandbox.json") else {
      throw RuntimeError(.notFound, "pod sandbox \"\(id)\" not found")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(Sandbox.self, from: Data(bytes))
  }

  public func listSandboxes() -> [Sandbox] {
    FileSystem.list("\(root)/sandboxes").compactMap { try? loadSandbox($0) }.sorted { $0.id < $1.id }
  }

  /// Stops the pause process and removes the sandbox; its containers must be removed first.
  public func removeSandbox(id: String) throws {
    let sandbox = try loadSandbox(id)
    let members = list().filter { $0.labels["skiff.sandbox"] == id || (try? loadRecord($0.id))?.spec.sandboxID == id }
    guard members.isEmpty else {
      throw RuntimeError(
        .failedPrecondition,
        "pod sandbox \"\(id)\" still has containers: \(members.map(\.id).joined(separator: ", ")); remove them first")
    }
    if sandbox.isAlive {
      let pidfd = skiff_pidfd_open(sandbox.pid)
      if pidfd >= 0 {
        _ = skiff_pidfd_send_signal(pidfd, SIGKILL)
        ProcessInfoReader.waitForExit(pidfd: pidfd, timeoutMilliseconds: 5000)
        close(pidfd)
      }
    }
    try removeCgroup(sandbox.options.cgroupName(sandbox: id))
    try FileSystem.removeTree(sandboxDirectory(id))
  }
}
