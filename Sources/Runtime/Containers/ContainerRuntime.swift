import CRuntime
import Foundation
import Glibc
import Logging

/// Runs containers: each one a shim (`skiff-shim __shim`) that clones the container init into
/// new namespaces, owns its stdio and log, and records its exit. All state lives in
/// `<root>/containers/<id>` and `<root>/sandboxes/<id>`, so a restarted agent re-adopts
/// running containers by reading it back.
public final class ContainerRuntime: @unchecked Sendable {
  public let root: String
  public let images: ImageStore
  public let cgroups: CgroupManager
  /// The skiff-shim executable the shims, sandboxes and execs run as (`<root>/bin`).
  let shim: String
  let logger: Logger
  private let lock = NSLock()
  private var seccompCache: [String: [UInt8]] = [:]

  /// Checks the kernel features containers need and creates the state directories.
  public init(
    root: String, images: ImageStore, cgroups: CgroupManager? = nil,
    logger: Logger = Logger(label: "skiff.runtime")
  ) throws {
    guard geteuid() == 0 else {
      throw RuntimeError(.permissionDenied, "running containers needs root: run skiff as root (sudo)")
    }
    self.root = root
    self.images = images
    self.logger = logger
    self.cgroups = try cgroups ?? CgroupManager()
    guard
      (try? FileSystem.readString("/proc/filesystems"))?.contains("\toverlay\n") ?? false
        || FileSystem.exists("/sys/module/overlay")
    else {
      throw RuntimeError(.kernelFeatureMissing, "overlay filesystem not available: load it with `modprobe overlay`")
    }
    try FileSystem.makeDirectories("\(root)/containers", mode: 0o700)
    try FileSystem.makeDirectories("\(root)/sandboxes", mode: 0o700)
    shim = try ShimExecutable.install(in: "\(root)/bin")
  }

  func bundle(_ id: String) -> String { "\(root)/containers/\(id)" }

  static func validate(id: String) throws {
    guard !id.isEmpty, id.count <= 128, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
      !id.hasPrefix(".")
    else {
      throw RuntimeError(.invalidArgument, "invalid container id \"\(id)\": use letters, digits, '-', '_' and '.'")
    }
  }

  func loadRecord(_ id: String) throws -> ContainerRecord {
    let path = bundle(id) + "/config.json"
    guard let bytes = try? FileSystem.read(path) else {
      throw RuntimeError(.notFound, "container \"\(id)\" not found")
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(ContainerRecord.self, from: Data(bytes))
  }

  func saveRecord(_ record: ContainerRecord) throws {
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    try FileSystem.writeAtomically(
      bundle(record.spec.id) + "/config.json", Array(try encoder.encode(record)), mode: 0o600)
  }

  /// Creates a container: resolves the image and process, sets up the cgroup and starts the
  /// shim, which leaves the init waiting in its namespaces until `start`.
  /// With `foreground`, the shim stays this process's child and copies the container's output
  /// to our stdout/stderr (and our stdin to it): `skiff ctr run` without `-d`.
  @discardableResult
  public func create(_ spec: ContainerSpec, foreground: Bool = false) throws -> String {
    try Self.validate(id: spec.id)
    let directory = bundle(spec.id)
    guard mkdir(directory, 0o700) == 0 else {
      if errno == EEXIST { throw RuntimeError(.alreadyExists, "container \"\(spec.id)\" already exists") }
      throw RuntimeError.io("cannot create \(directory)", errno: errno)
    }
    do {
      var prepared = try prepare(spec, directory: directory)
      prepared.initSpec.foreground = foreground
      try saveRecord(prepared.record)
      try launchShim(prepared.initSpec, id: spec.id, foreground: foreground)
      images.markUsed(prepared.record.imageName)
      return spec.id
    } catch {
      try? cgroups.destroy(spec.cgroupName)
      try? FileSystem.removeTree(directory)
      throw error
    }
  }

  private func launchShim(_ initSpec: InitSpec, id: String, foreground: Bool) throws {
    let specFD = try ProcessSpawner.specFile(initSpec.encode())
    defer { close(specFD) }
    var pipeFDs: [Int32] = [0, 0]
    guard skiff_pipe(&pipeFDs) == 0 else { throw RuntimeError.io("cannot create a pipe", errno: errno) }
    let stdio: [Int32] = foreground ? [0, 1, 2] : [-1, -1, -1]
    let pid: pid_t
    do {
      pid = try ProcessSpawner.spawn(shim, mode: "__shim", fds: stdio + [specFD, pipeFDs[1]], newSession: !foreground)
    } catch {
      close(pipeFDs[0])
      close(pipeFDs[1])
      throw error
    }
    close(pipeFDs[1])
    let reply = ProcessSpawner.readAll(pipeFDs[0])
    close(pipeFDs[0])
    if foreground {
      foregroundShims.withLock { $0[id] = pid }
    } else {
      _ = ProcessSpawner.waitExit(pid)  // the shim's first half exits once the second detached
    }
    if reply.hasPrefix("ok ") { return }
    let message = reply.hasPrefix("error ") ? String(reply.dropFirst(6)).trimmed : "the shim exited without a report"
    if foreground { _ = ProcessSpawner.waitExit(pid) }
    throw RuntimeError(.failedPrecondition, "cannot create container \"\(id)\": \(message)")
  }

  /// Shims started in the foreground are our children; `wait` reaps them.
  let foregroundShims = LockedValue<[String: pid_t]>([:])

  func seccompProgram(_ mode: ContainerSpec.SeccompMode, capabilities: UInt64) throws -> [UInt8]? {
    let key: String
    let profile: SeccompProfile
    switch mode {
    case .unconfined: return nil
    case .runtimeDefault:
      key = "default:\(capabilities)"
      if let cached = lock.withLock({ seccompCache[key] }) { return cached }
      profile = .runtimeDefault
    case .localhost(let path):
      let bytes = try FileSystem.read(path)
      key = "\(Digest.of(bytes)):\(capabilities)"
      if let cached = lock.withLock({ seccompCache[key] }) { return cached }
      profile = try SeccompProfile.parse(bytes, source: path)
    }
    let names = Set(Capabilities.list(capabilities).map { "CAP_" + $0 })
    let program = try profile.compile(capabilities: names)
    lock.withLock { seccompCache[key] = program }
    return program
  }
}

/// A value behind a lock, for the few mutable maps the runtime keeps in memory.
final class LockedValue<Value>: @unchecked Sendable {
  private var value: Value
  private let lock = NSLock()

  init(_ value: Value) { self.value = value }

  func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}
