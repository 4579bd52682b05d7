import CRuntime
import CSeccomp
import Foundation
import Glibc

/// A seccomp profile in the Docker/containerd JSON format, compiled with libseccomp into
/// a BPF program that the container init loads just before exec.
public struct SeccompProfile: Codable, Sendable {
  public struct ArchMap: Codable, Sendable {
    public var architecture: String
    public var subArchitectures: [String]?
  }

  public struct Argument: Codable, Sendable {
    public var index: UInt32
    public var value: UInt64
    public var valueTwo: UInt64?
    public var op: String
  }

  public struct Filter: Codable, Sendable {
    public var caps: [String]?
    public var arches: [String]?
    public var minKernel: String?
  }

  public struct Rule: Codable, Sendable {
    public var names: [String]?
    public var name: String?
    public var action: String
    public var errnoRet: UInt32?
    public var args: [Argument]?
    public var includes: Filter?
    public var excludes: Filter?
  }

  public var defaultAction: String
  public var defaultErrnoRet: UInt32?
  public var architectures: [String]?
  public var archMap: [ArchMap]?
  public var syscalls: [Rule]?

  public static func parse(_ bytes: [UInt8], source: String) throws -> SeccompProfile {
    do {
      return try JSONDecoder().decode(SeccompProfile.self, from: Data(bytes))
    } catch {
      throw RuntimeError(.invalidArgument, "seccomp profile \(source) is not valid JSON in the Docker format: \(error)")
    }
  }

  public static let runtimeDefault: SeccompProfile = {
    // The embedded text is checked by a unit test; failing here would be a build defect.
    try! parse(Array(runtimeDefaultJSON.utf8), source: "RuntimeDefault")
  }()

  /// Compiles for this machine's architecture (and its compat ones) given the container's
  /// capabilities; returns the BPF program (an array of `struct sock_filter`).
  func compile(capabilities: Set<String>) throws -> [UInt8] {
    guard let context = seccomp_init(try Self.action(defaultAction, errno: defaultErrnoRet)) else {
      throw RuntimeError(.internalError, "libseccomp could not create a filter")
    }
    defer { seccomp_release(context) }
    let native = seccomp_arch_native()
    let nativeName = Self.archName(native)
    var arches = Set<String>()
    for entry in archMap ?? [] where entry.architecture == nativeName {
      for sub in entry.subArchitectures ?? [] {
        guard let token = Self.archToken(sub) else { continue }
        let rc = seccomp_arch_add(context, token)
        if rc == 0 || rc == -EEXIST { arches.insert(sub) }
      }
    }
    arches.insert(nativeName)
    for name in architectures ?? [] where !arches.contains(name) {
      if let token = Self.archToken(name), seccomp_arch_add(context, token) == 0 { arches.insert(name) }
    }
    let defaultCode = try Self.action(defaultAction, errno: defaultErrnoRet)
    for rule in syscalls ?? [] where Self.applies(rule, capabilities: capabilities, arches: arches) {
      let action = try Self.action(rule.action, errno: rule.errnoRet ?? defaultErrnoRet)
      let conditions = try (rule.args ?? []).map(Self.condition)
      let indexes = conditions.map(\.arg)
      // Several conditions on one argument mean "any of" (as Docker reads profiles); otherwise "all of".
      let groups = Set(indexes).count == indexes.count ? [conditions] : conditions.map { [$0] }
      for name in (rule.names ?? []) + (rule.name.map { [$0] } ?? []) {
        let number = seccomp_syscall_resolve_name(name)
        if number == __NR_SCMP_ERROR { continue }  // unknown to this libseccomp: nothing to filter
        for group in groups {
          let rc = group.withUnsafeBufferPointer { buffer in
            seccomp_rule_add_array(context, action, number, UInt32(buffer.count), buffer.baseAddress)
          }
          // EEXIST/EACCES-style conflicts (same action as default) are harmless; others are profile errors.
          if rc != 0 && rc != -EEXIST && action != defaultCode {
            throw RuntimeError(.invalidArgument, "seccomp rule for \(name) rejected by libseccomp (\(rc))")
          }
        }
      }
    }
    let fd = skiff_memfd("skiff-seccomp")
    guard fd >= 0 else { throw RuntimeError.io("cannot create a memfd", errno: -fd) }
    defer { close(fd) }
    guard seccomp_export_bpf(context, fd) == 0 else {
      throw RuntimeError(.internalError, "libseccomp could not export the filter")
    }
    lseek(fd, 0, SEEK_SET)
    var program: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      program += buffer[0..<n]
    }
    return program
  }

  static func applies(_ rule: Rule, capabilities: Set<String>, arches: Set<String>) -> Bool {
    let normalized = { (cap: String) in
      cap.uppercased().hasPrefix("CAP_") ? cap.uppercased() : "CAP_" + cap.uppercased()
    }
    if let include = rule.includes {
      if let caps = include.caps, !caps.allSatisfy({ capabilities.contains(normalized($0)) }) { return false }
      if let wanted = include.arches, !wanted.contains(where: { arches.contains(archTokenName($0)) }) { return false }
    }
    if let exclude = rule.excludes {
      if let caps = exclude.caps, caps.contains(where: { capabilities.contains(normalized($0)) }) { return false }
      if let unwanted = exclude.arches, unwanted.contains(where: { arches.contains(archTokenName($0)) }) {
        return false
      }
    }
    return true
  }

  static func action(_ name: String, errno value: UInt32?) throws -> UInt32 {
    switch name {
    case "SCMP_ACT_ALLOW": return 0x7fff_0000
    case "SCMP_ACT_ERRNO": return 0x0005_0000 | ((value ?? UInt32(EPERM)) & 0xffff)
    case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0
    case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
    case "SCMP_ACT_TRAP": return 0x0003_0000
    case "SCMP_ACT_LOG": return 0x7ffc_0000
    case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ((value ?? 0) & 0xffff)
    default: throw RuntimeError(.invalidArgument, "unknown seccomp action \(name)")
    }
  }

  static func condition(_ argument: Argument) throws -> scmp_arg_cmp {
    let ops: [String: scmp_compare] = [
      "SCMP_CMP_NE": SCMP_CMP_NE, "SCMP_CMP_LT": SCMP_CMP_LT, "SCMP_CMP_LE": SCMP_CMP_LE, "SCMP_CMP_EQ": SCMP_CMP_EQ,
      "SCMP_CMP_GE": SCMP_CMP_GE, "SCMP_CMP_GT": SCMP_CMP_GT, "SCMP_CMP_MASKED_EQ": SCMP_CMP_MASKED_EQ,
    ]
    guard let op = ops[argument.op] else {
      throw RuntimeError(.invalidArgument, "unknown seccomp operator \(argument.op)")
    }
    return scmp_arg_cmp(arg: argument.index, op: op, datum_a: argument.value, datum_b: argument.valueTwo ?? 0)
  }

  static let archTokens: [String: UInt32] = [
    "SCMP_ARCH_X86_64": 0xC000_003E, "SCMP_ARCH_X86": 0x4000_0003, "SCMP_ARCH_X32": 0x4000_003E,
    "SCMP_ARCH_AARCH64": 0xC000_00B7, "SCMP_ARCH_ARM": 0x4000_0028,
  ]

  static func archToken(_ name: String) -> UInt32? { archTokens[name] }
  static func archName(_ token: UInt32) -> String { archTokens.first { $0.value == token }?.key ?? "unknown" }
  /// Profiles name arches in `includes` as "amd64"/"x86_64"/"SCMP_ARCH_X86_64"; compare in libseccomp's names.
  static func archTokenName(_ name: String) -> String {
    switch name.lowercased() {
    case "amd64", "x86_64", "scmp_arch_x86_64": return "SCMP_ARCH_X86_64"
    case "386", "x86", "scmp_arch_x86": return "SCMP_ARCH_X86"
    case "arm64", "aarch64", "scmp_arch_aarch64": return "SCMP_ARCH_AARCH64"
    case "arm", "scmp_arch_arm": return "SCMP_ARCH_ARM"
    default: return name.uppercased()
    }
  }
}
