import Foundation
import Glibc

/// What the machine is, read from /proc, uname and statfs: the Node's capacity, nodeInfo and
/// the pressure signals eviction watches.
public struct NodeFacts: Sendable, Equatable {
  public var cpus: Int
  public var memoryBytes: Int64
  public var memoryAvailableBytes: Int64
  public var filesystemBytes: Int64
  public var filesystemAvailableBytes: Int64
  public var pidMax: Int64
  public var processes: Int64
  public var kernelVersion: String
  public var osImage: String
  public var architecture: String
  public var machineID: String
  public var bootID: String

  /// Reads the machine now; `filesystem` is where the kubelet keeps pods (nodefs).
  public static func read(filesystem: String) -> NodeFacts {
    let meminfo = Self.meminfo()
    var fs = statvfs()
    let haveFS = statvfs(filesystem, &fs) == 0
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    return NodeFacts(
      cpus: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
      memoryBytes: meminfo["MemTotal"] ?? 0,
      memoryAvailableBytes: meminfo["MemAvailable"] ?? 0,
      filesystemBytes: haveFS ? Int64(fs.f_blocks) * Int64(fs.f_frsize) : 0,
      filesystemAvailableBytes: haveFS ? Int64(fs.f_bavail) * Int64(fs.f_frsize) : 0,
      pidMax: Int64(Self.text("/proc/sys/kernel/pid_max") ?? "") ?? 32768,
      processes: Int64(
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.count { $0.first?.isNumber ?? false } ?? 0),
      kernelVersion: field(name.release),
      osImage: Self.osImage(),
      architecture: Self.goArchitecture(field(name.machine)),
      machineID: Self.text("/etc/machine-id") ?? "",
      bootID: Self.text("/proc/sys/kernel/random/boot_id") ?? "")
  }

  /// `/proc/meminfo` in bytes.
  static func meminfo() -> [String: Int64] {
    var values: [String: Int64] = [:]
    for line in (Self.text("/proc/meminfo") ?? "").split(separator: "\n") {
      let parts = line.split(separator: " ", omittingEmptySubsequences: true)
      guard parts.count >= 2, let number = Int64(parts[1]) else { continue }
      values[String(parts[0].dropLast())] = parts.count > 2 && parts[2] == "kB" ? number * 1024 : number
    }
    return values
  }

  static func osImage() -> String {
    for line in (Self.text("/etc/os-release") ?? "").split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
      return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    return "Linux"
  }

  /// Kubernetes names architectures as Go does.
  static func goArchitecture(_ machine: String) -> String {
    switch machine {
    case "x86_64": "amd64"
    case "aarch64": "arm64"
    case let arm where arm.hasPrefix("armv"): "arm"
    default: machine
    }
  }

  static func text(_ path: String) -> String? {
    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
