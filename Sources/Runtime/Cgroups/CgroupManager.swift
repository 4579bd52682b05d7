import Foundation

/// Which cgroup hierarchy this machine runs, detected at start.
public enum CgroupVersion: String, Sendable {
  /// Controllers on separate v1 hierarchies (a v2 mount without controllers may sit beside them).
  case v1
  /// The unified hierarchy with the controllers.
  case v2
}

/// Resource usage read from a container's cgroup.
public struct ContainerStats: Sendable, Equatable {
  public var cpuUsageNanoseconds: UInt64
  /// Usage minus inactive file cache, the figure the kubelet evicts on.
  public var memoryWorkingSetBytes: UInt64
  public var memoryUsageBytes: UInt64
  public var pids: UInt64
  public var timestampNanoseconds: Int64
}

/// Creates, limits, reads and removes the cgroups of containers under `<root>/skiff/<name>`.
public struct CgroupManager: Sendable {
  static let cgroup2Magic: Int64 = 0x6367_7270
  public let version: CgroupVersion
  let fs: CgroupFileSystem
  let mountPoint: String
  let parent: String
  /// v1 controllers a container's cgroup is created in.
  static let v1Controllers = ["cpu", "cpuacct", "memory", "pids", "devices", "freezer"]

  public init(
    fs: CgroupFileSystem = HostCgroupFileSystem(), mountPoint: String = "/sys/fs/cgroup",
    parent: String = "skiff"
  ) throws {
    self.fs = fs
    self.mountPoint = mountPoint
    self.parent = parent
    if fs.filesystemType(mountPoint) == Self.cgroup2Magic {
      version = .v2
    } else if fs.exists("\(mountPoint)/memory") && fs.exists("\(mountPoint)/cpu") && fs.exists("\(mountPoint)/pids") {
      version = .v1
    } else {
      throw RuntimeError(
        .kernelFeatureMissing,
        "cgroups not available: \(mountPoint) has neither cgroup v2 nor the v1 cpu, memory and pids controllers")
    }
  }

  /// The directories of one container's cgroup (one per v1 controller, or one on v2).
  public func directories(_ name: String) -> [String] {
    switch version {
    case .v1:
      return Self.v1Controllers.compactMap { controller in
        let root = "\(mountPoint)/\(controller)"
        return fs.exists(root) ? "\(root)/\(parent)/\(name)" : nil
      }
    case .v2: return ["\(mountPoint)/\(parent)/\(name)"]
    }
  }

  /// The `cgroup.procs` files a process writes to join the container's cgroup.
  public func procsFiles(_ name: String) -> [String] { directories(name).map { $0 + "/cgroup.procs" } }

  /// Creates the cgroup and applies limits; returns the directories created.
  @discardableResult
  public func create(_ name: String, resources: ContainerSpec.Resources, allowAllDevices: Bool = false) throws
    -> [String]
  {
    switch version {
    case .v1: try createV1(name, resources: resources, allowAllDevices: allowAllDevices)
    case .v2: try createV2(name, resources: resources)
    }
    return directories(name)
  }

  /// `name` and every ancestor under the runtime's parent: `kubepods/burstable/pod<uid>/<id>` nests.
  private func ancestry(_ name: String) -> [String] {
    let components = name.split(separator: "/").map(String.init)
    return (1...max(1, components.count)).map { components.prefix($0).joined(separator: "/") }
  }

  private func createV1(_ name: String, resources: ContainerSpec.Resources, allowAllDevices: Bool) throws {
    for controller in Self.v1Controllers where fs.exists("\(mountPoint)/\(controller)") {
      try fs.makeDirectory("\(mountPoint)/\(controller)/\(parent)")
      for level in ancestry(name) { try fs.makeDirectory("\(mountPoint)/\(controller)/\(parent)/\(level)") }
    }
    let base = { (controller: String) in "\(mountPoint)/\(controller)/\(parent)/\(name)" }
    if let shares = resources.cpuShares { try fs.write(base("cpu") + "/cpu.shares", "\(max(shares, 2))") }
    if let quota = resources.cpuQuota {
      try fs.write(base("cpu") + "/cpu.cfs_period_us", "\(resources.cpuPeriod)")
      try fs.write(base("cpu") + "/cpu.cfs_quota_us", "\(quota)")
    }
    if let memory = resources.memoryLimit {
      try fs.write(base("memory") + "/memory.limit_in_bytes", "\(memory)")
      // Without swap accounting the file is absent; with it, forbid swap like the kubelet.
      let swap = base("memory") + "/memory.memsw.limit_in_bytes"
      if fs.exists(swap) { try? fs.write(swap, "\(memory)") }
    }
    if let pids = resources.pidsLimit { try fs.write(base("pids") + "/pids.max", pids > 0 ? "\(pids)" : "max") }
    let devices = base("devices")
    if fs.exists("\(mountPoint)/devices") && !allowAllDevices {
      try fs.write(devices + "/devices.deny", "a")
      for rule in Self.allowedDevices { try fs.write(devices + "/devices.allow", rule) }
    }
  }

  /// The device rules runc applies by default: null, zero, full, random, urandom, tty, ptmx, pts.
  static let allowedDevices = [
    "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
    "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
  ]

  private func createV2(_ name: String, resources: ContainerSpec.Resources) throws {
    let parentDirectory = "\(mountPoint)/\(parent)"
    try fs.makeDirectory(parentDirectory)
    let available =
      (try? fs.read("\(mountPoint)/cgroup.controllers"))?.split(separator: " ").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
      } ?? []
    let wanted = ["cpu", "memory", "pids"].filter { available.contains($0) }
    let enable = wanted.map { "+" + $0 }.joined(separator: " ")
    if !enable.isEmpty {
      try fs.write("\(mountPoint)/cgroup.subtree_control", enable)
      try fs.write("\(parentDirectory)/cgroup.subtree_control", enable)
    }
    // Intermediate levels (a pod's cgroup) pass the controllers down to their children.
    for level in ancestry(name).dropLast() {
      try fs.makeDirectory("\(parentDirectory)/\(level)")
      if !enable.isEmpty { try fs.write("\(parentDirectory)/\(level)/cgroup.subtree_control", enable) }
    }
    let directory = "\(parentDirectory)/\(name)"
    try fs.makeDirectory(directory)
    if let shares = resources.cpuShares { try fs.write(directory + "/cpu.weight", "\(Self.weight(shares: shares))") }
    if let quota = resources.cpuQuota {
      try fs.write(directory + "/cpu.max", "\(quota > 0 ? "\(quota)" : "max") \(resources.cpuPeriod)")
    }
    if let memory = resources.memoryLimit {
      try fs.write(directory + "/memory.max", "\(memory)")
      if fs.exists(directory + "/memory.swap.max") { try? fs.write(directory + "/memory.swap.max", "0") }
    }
    if let pids = resources.pidsLimit { try fs.write(directory + "/pids.max", pids > 0 ? "\(pids)" : "max") }
  }

  /// cgroup v1 shares [2, 262144] to v2 weight [1, 10000], as runc and the kubelet convert.
  static func weight(shares: UInt64) -> UInt64 {
    let clamped = min(max(shares, 2), 262_144)
    return 1 + ((clamped - 2) * 9999) / 262_142
  }

  /// Whether the kernel OOM-killed a process of the container.
  public func oomKilled(_ name: String) -> Bool {
    switch version {
    case .v1:
      let text = (try? fs.read("\(mountPoint)/memory/\(parent)/\(name)/memory.oom_control")) ?? ""
      return Self.field(text, "oom_kill").map { $0 > 0 } ?? false
    case .v2:
      let text = (try? fs.read("\(mountPoint)/\(parent)/\(name)/memory.events")) ?? ""
      return Self.field(text, "oom_kill").map { $0 > 0 } ?? false
    }
  }

  public func stats(_ name: String, now: Int64) throws -> ContainerStats {
    switch version {
    case .v1:
      let cpu = UInt64(try fs.read("\(mountPoint)/cpuacct/\(parent)/\(name)/cpuacct.usage").trimmed) ?? 0
      let memoryDirectory = "\(mountPoint)/memory/\(parent)/\(name)"
      let usage = UInt64(try fs.read(memoryDirectory + "/memory.usage_in_bytes").trimmed) ?? 0
      let inactive = Self.field(try fs.read(memoryDirectory + "/memory.stat"), "total_inactive_file") ?? 0
      let pids = UInt64(try fs.read("\(mountPoint)/pids/\(parent)/\(name)/pids.current").trimmed) ?? 0
      return ContainerStats(
        cpuUsageNanoseconds: cpu, memoryWorkingSetBytes: usage > inactive ? usage - inactive : 0,
        memoryUsageBytes: usage, pids: pids, timestampNanoseconds: now)
    case .v2:
      let directory = "\(mountPoint)/\(parent)/\(name)"
      let cpu = (Self.field(try fs.read(directory + "/cpu.stat"), "usage_usec") ?? 0) * 1000
      let usage = UInt64(try fs.read(directory + "/memory.current").trimmed) ?? 0
      let inactive = Self.field(try fs.read(directory + "/memory.stat"), "inactive_file") ?? 0
      let pids = UInt64(try fs.read(directory + "/pids.current").trimmed) ?? 0
      return ContainerStats(
        cpuUsageNanoseconds: cpu, memoryWorkingSetBytes: usage > inactive ? usage - inactive : 0,
        memoryUsageBytes: usage, pids: pids, timestampNanoseconds: now)
    }
  }

  /// Processes still in the container's cgroup.
  public func processes(_ name: String) -> [Int32] {
    guard let first = directories(name).first else { return [] }
    let text = (try? fs.read(first + "/cgroup.procs")) ?? ""
    return text.split(separator: "\n").compactMap { Int32($0) }
  }

  /// Removes every directory the runtime created for the container.
  public func destroy(_ name: String) throws {
    var failures: [String] = []
    for directory in directories(name) where fs.exists(directory) {
      do { try fs.removeDirectory(directory) } catch { failures.append("\(error)") }
    }
    if !failures.isEmpty {
      throw RuntimeError(.io, "cannot remove the cgroup of \(name): \(failures.joined(separator: "; "))")
    }
  }

  static func field(_ text: String, _ key: String) -> UInt64? {
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ")
      if parts.count == 2 && parts[0] == key { return UInt64(parts[1]) }
    }
    return nil
  }
}

extension StringProtocol {
  var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
