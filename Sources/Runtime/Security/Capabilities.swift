/// Linux capabilities by name, and the default set containerd gives a container.
public enum Capabilities {
  static let names: [String] = [
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
    "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
    "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
    "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
    "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
    "CHECKPOINT_RESTORE",
  ]

  /// containerd's (and Docker's) default capability set.
  public static let defaultSet: [String] = [
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
    "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
  ]

  /// Accepts `SYS_ADMIN`, `CAP_SYS_ADMIN` and lower case.
  static func number(_ name: String) throws -> Int {
    var key = name.uppercased()
    if key.hasPrefix("CAP_") { key = String(key.dropFirst(4)) }
    guard let index = names.firstIndex(of: key) else {
      throw RuntimeError(.invalidArgument, "unknown capability \"\(name)\"")
    }
    return index
  }

  static func name(_ number: Int) -> String { names.indices.contains(number) ? names[number] : "\(number)" }

  /// The set after adding and dropping, as CRI does: "ALL" in add grants every capability,
  /// "ALL" in drop removes every capability not explicitly added.
  static func effectiveSet(add: [String], drop: [String], privileged: Bool) throws -> UInt64 {
    let all = (UInt64(1) << UInt64(names.count)) - 1
    if privileged { return all }
    let upper = { (list: [String]) in list.map { $0.uppercased() } }
    var set: UInt64 = 0
    if upper(drop).contains("ALL") {
      set = 0
    } else {
      for name in defaultSet { set |= 1 << UInt64(try number(name)) }
      for name in drop { set &= ~(1 << UInt64(try number(name))) }
    }
    if upper(add).contains("ALL") { return all }
    for name in add { set |= 1 << UInt64(try number(name)) }
    return set
  }

  static func list(_ set: UInt64) -> [String] {
    names.indices.filter { set & (1 << UInt64($0)) != 0 }.map { names[$0] }
  }
}
