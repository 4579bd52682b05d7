import Foundation
import Glibc

/// Node figures read from /proc and statfs: what cAdvisor's root container gives upstream.
struct HostStats: Sendable {
  /// Where /proc is (tests point it at a directory of sample files).
  var procRoot = "/proc"

  struct CPU: Equatable { var usageNanoseconds: UInt64 }
  struct Memory: Equatable {
    var capacity: UInt64
    var usage: UInt64
    var workingSet: UInt64
    var rss: UInt64
    var available: UInt64
  }
  struct Interface: Equatable {
    var name: String
    var rxBytes: UInt64
    var rxErrors: UInt64
    var txBytes: UInt64
    var txErrors: UInt64
  }
  struct FileSystem: Equatable {
    var capacity: UInt64
    var available: UInt64
    var used: UInt64
    var inodes: UInt64
    var inodesFree: UInt64
  }

  /// Busy time of all CPUs from the first line of /proc/stat (user, nice, system, irq, softirq, steal).
  static func parseCPU(_ text: String, ticksPerSecond: UInt64) -> CPU? {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
    let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
    guard fields.count >= 8, ticksPerSecond > 0 else { return nil }
    let busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return CPU(usageNanoseconds: busy * (1_000_000_000 / ticksPerSecond))
  }

  /// Boot time (seconds since the epoch) from /proc/stat's `btime`.
  static func parseBootTime(_ text: String) -> Int64? {
    text.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Int64($0.dropFirst(6)) }
  }

  /// Memory as the kubelet reports it: working set = usage − inactive file pages, available =
  /// capacity − working set (what eviction uses).
  static func parseMemory(_ text: String) -> Memory? {
    var fields: [String: UInt64] = [:]
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, let kb = UInt64(parts[1].split(separator: " ").first ?? "") else { continue }
      fields[String(parts[0])] = kb * 1024
    }
    guard let total = fields["MemTotal"], let free = fields["MemFree"] else { return nil }
    let usage = total - min(free, total)
    let inactiveFile = fields["Inactive(file)"] ?? 0
    let workingSet = usage > inactiveFile ? usage - inactiveFile : 0
    let rss = (fields["Active(anon)"] ?? 0) + (fields["Inactive(anon)"] ?? 0)
    return Memory(capacity: total, usage: usage, workingSet: workingSet, rss: rss, available: total - workingSet)
  }

  /// Interfaces from /proc/<pid>/net/dev, loopback left out.
  static func parseInterfaces(_ text: String) -> [Interface] {
    text.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: ":", maxSplits: 1)
      guard parts.count == 2 else { return nil }
      let name = parts[0].trimmingCharacters(in: .whitespaces)
      let numbers = parts[1].split(separator: " ").compactMap { UInt64($0) }
      guard name != "lo", numbers.count >= 16 else { return nil }
      return Interface(
        name: name, rxBytes: numbers[0], rxErrors: numbers[2], txBytes: numbers[8], txErrors: numbers[10])
    }
  }

  func cpu() -> CPU? {
    Self.parseCPU(read("stat"), ticksPerSecond: UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1)))
  }

  func bootTime() -> Int64? { Self.parseBootTime(read("stat")) }
  func memory() -> Memory? { Self.parseMemory(read("meminfo")) }
  func interfaces(pid: Int32? = nil) -> [Interface] {
    Self.parseInterfaces(read(pid.map { "\($0)/net/dev" } ?? "net/dev"))
  }

  func processCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: procRoot))?.filter { Int($0) != nil }.count ?? 0
  }

  func maxPID() -> Int? { Int(read("sys/kernel/pid_max").trimmingCharacters(in: .whitespacesAndNewlines)) }

  static func fileSystem(_ path: String) -> FileSystem? {
    var info = statvfs()
    guard statvfs(path, &info) == 0 else { return nil }
    let block = UInt64(info.f_frsize)
    let capacity = UInt64(info.f_blocks) * block
    return FileSystem(
      capacity: capacity, available: UInt64(info.f_bavail) * block,
      used: capacity - UInt64(info.f_bfree) * block, inodes: UInt64(info.f_files), inodesFree: UInt64(info.f_ffree))
  }

  private func read(_ name: String) -> String {
    (try? String(contentsOfFile: "\(procRoot)/\(name)", encoding: .utf8)) ?? ""
  }
}
