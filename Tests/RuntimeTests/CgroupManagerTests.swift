import Foundation
import Testing

@testable import Runtime

/// An in-memory cgroup tree: directories, files, and the filesystem type of the mount point.
final class MemoryCgroupFileSystem: CgroupFileSystem, @unchecked Sendable {
  private let lock = NSLock()
  var files: [String: String] = [:]
  var directories: Set<String> = []
  var writes: [(String, String)] = []
  let rootType: Int64

  init(rootType: Int64, directories: [String], files: [String: String] = [:]) {
    self.rootType = rootType
    self.directories = Set(directories)
    self.files = files
  }

  func read(_ path: String) throws -> String {
    try lock.withLock {
      guard let value = files[path] else { throw RuntimeError(.notFound, "\(path) does not exist") }
      return value
    }
  }

  func write(_ path: String, _ value: String) throws {
    lock.withLock {
      files[path] = value
      writes.append((path, value))
    }
  }

  func makeDirectory(_ path: String) throws { _ = lock.withLock { directories.insert(path) } }
  func removeDirectory(_ path: String) throws { _ = lock.withLock { directories.remove(path) } }
  func exists(_ path: String) -> Bool { lock.withLock { directories.contains(path) || files[path] != nil } }
  func filesystemType(_ path: String) -> Int64? { rootType }
}

@Suite struct CgroupManagerTests {
  let resources = ContainerSpec.Resources(cpuShares: 512, cpuQuota: 50_000, memoryLimit: 64 << 20, pidsLimit: 20)

  func v1() -> MemoryCgroupFileSystem {
    let controllers = ["cpu", "cpuacct", "memory", "pids", "devices", "freezer"].map { "/sys/fs/cgroup/\($0)" }
    return MemoryCgroupFileSystem(rootType: 0x0102_1994, directories: ["/sys/fs/cgroup"] + controllers)
  }

  @Test func detectsV1AndWritesV1Limits() throws {
    let fs = v1()
    let manager = try CgroupManager(fs: fs)
    #expect(manager.version == .v1)
    try manager.create("c1", resources: resources)
    #expect(fs.files["/sys/fs/cgroup/cpu/skiff/c1/cpu.shares"] == "512")
    #expect(fs.files["/sys/fs/cgroup/cpu/skiff/c1/cpu.cfs_quota_us"] == "50000")
    #expect(fs.files["/sys/fs/cgroup/cpu/skiff/c1/cpu.cfs_period_us"] == "100000")
    #expect(fs.files["/sys/fs/cgroup/memory/skiff/c1/memory.limit_in_bytes"] == "\(64 << 20)")
    #expect(fs.files["/sys/fs/cgroup/pids/skiff/c1/pids.max"] == "20")
    let deviceWrites = fs.writes.filter { $0.0.hasPrefix("/sys/fs/cgroup/devices/skiff/c1/") }
    #expect(deviceWrites.first?.1 == "a")
    #expect(deviceWrites.contains { $0.1 == "c 1:3 rwm" })
    #expect(manager.procsFiles("c1").count == 6)
    try manager.destroy("c1")
    #expect(!fs.directories.contains("/sys/fs/cgroup/memory/skiff/c1"))
  }

  @Test func detectsV2AndWritesV2Limits() throws {
    let fs = MemoryCgroupFileSystem(
      rootType: CgroupManager.cgroup2Magic, directories: ["/sys/fs/cgroup"],
      files: ["/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n"])
    let manager = try CgroupManager(fs: fs)
    #expect(manager.version == .v2)
    try manager.create("c2", resources: resources)
    #expect(fs.files["/sys/fs/cgroup/cgroup.subtree_control"] == "+cpu +memory +pids")
    #expect(fs.files["/sys/fs/cgroup/skiff/cgroup.subtree_control"] == "+cpu +memory +pids")
    #expect(fs.files["/sys/fs/cgroup/skiff/c2/cpu.weight"] == "\(CgroupManager.weight(shares: 512))")
    #expect(fs.files["/sys/fs/cgroup/skiff/c2/cpu.max"] == "50000 100000")
    #expect(fs.files["/sys/fs/cgroup/skiff/c2/memory.max"] == "\(64 << 20)")
    #expect(fs.files["/sys/fs/cgroup/skiff/c2/pids.max"] == "20")
    #expect(manager.procsFiles("c2") == ["/sys/fs/cgroup/skiff/c2/cgroup.procs"])
  }

  @Test func convertsSharesToWeightLikeRunc() {
    #expect(CgroupManager.weight(shares: 2) == 1)
    #expect(CgroupManager.weight(shares: 1024) == 39)
    #expect(CgroupManager.weight(shares: 262_144) == 10_000)
  }

  @Test func readsOOMAndStats() throws {
    let fs = MemoryCgroupFileSystem(
      rootType: CgroupManager.cgroup2Magic, directories: ["/sys/fs/cgroup", "/sys/fs/cgroup/skiff/c3"],
      files: [
        "/sys/fs/cgroup/skiff/c3/memory.events": "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n",
        "/sys/fs/cgroup/skiff/c3/cpu.stat": "usage_usec 1500\nuser_usec 1000\n",
        "/sys/fs/cgroup/skiff/c3/memory.current": "1000000\n",
        "/sys/fs/cgroup/skiff/c3/memory.stat": "anon 10\ninactive_file 250000\n",
        "/sys/fs/cgroup/skiff/c3/pids.current": "3\n",
      ])
    let manager = try CgroupManager(fs: fs)
    #expect(manager.oomKilled("c3"))
    let stats = try manager.stats("c3", now: 42)
    #expect(stats.cpuUsageNanoseconds == 1_500_000)
    #expect(stats.memoryWorkingSetBytes == 750_000)
    #expect(stats.pids == 3)
  }

  @Test func v1OOMComesFromOomControl() throws {
    let fs = v1()
    fs.files["/sys/fs/cgroup/memory/skiff/c4/memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
    #expect(try CgroupManager(fs: fs).oomKilled("c4"))
  }

  @Test func refusesAMachineWithoutControllers() {
    let fs = MemoryCgroupFileSystem(rootType: 0x0102_1994, directories: ["/sys/fs/cgroup"])
    #expect(throws: RuntimeError.self) { try CgroupManager(fs: fs) }
  }
}

@Suite struct InitSpecTests {
  func spec(net: String = "new", privileged: Bool = false, mounts: [ContainerSpec.Mount] = []) -> InitSpec {
    var namespaces = InitSpec.Namespaces()
    namespaces.net = net
    return InitSpec(
      bundle: "/b", rootfs: "/b/rootfs", snapshotsDirectory: "/s", lowerDirectories: ["x/fs"], upper: "/b/upper",
      work: "/b/work", startFIFO: "/b/start", logPath: "/b/log", logMaxSize: 1, logMaxFiles: 1, namespaces: namespaces,
      cgroupProcs: [], arguments: ["sh"], environment: [], workingDir: "/", uid: 0, gid: 0, groups: [],
      capabilities: 0, noNewPrivileges: false, seccomp: nil, readOnlyRootfs: false, privileged: privileged,
      mounts: mounts, maskedPaths: [], readOnlyPaths: [], rlimits: [], oomScoreAdj: nil, tty: false, stdin: false,
      foreground: false)
  }

  @Test func kernelFilesystemsComeFirstAndSysIsReadOnly() {
    let records = spec().mountRecords()
    #expect(records.map(\.destination).prefix(6) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"])
    let sys = records.first { $0.destination == "/sys" }!
    #expect(sys.type == "sysfs")
    #expect(sys.flags & UInt(MS_RDONLY) != 0)
    #expect(spec(privileged: true).mountRecords().first { $0.destination == "/sys" }!.flags & UInt(MS_RDONLY) == 0)
  }

  @Test func hostNetworkBindsSys() {
    let sys = spec(net: "host").mountRecords().first { $0.destination == "/sys" }!
    #expect(sys.flags & UInt(MS_BIND) != 0)
  }

  @Test func volumesAreBindMountsWithPropagation() {
    let records = spec(mounts: [
      .init(source: "/data", destination: "/data", readOnly: true, propagation: .hostToContainer)
    ]).mountRecords()
    let volume = records.last!
    #expect(volume.kind == "auto")
    #expect(volume.flags & UInt(MS_BIND) != 0 && volume.flags & UInt(MS_RDONLY) != 0)
    #expect(volume.propagation == UInt(MS_REC | MS_SLAVE))
  }

  @Test func encodesLengthPrefixedRecords() {
    var encoder = SpecEncoder()
    encoder.add("k", "vv")
    #expect(encoder.bytes == [1, 0, 0, 0, UInt8(ascii: "k"), 2, 0, 0, 0, UInt8(ascii: "v"), UInt8(ascii: "v")])
  }
}
