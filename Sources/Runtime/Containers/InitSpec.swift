import Glibc

/// The container spec as the C init reads it: everything decided here in Swift (mount
/// list, devices, masked paths, namespaces, ids, capability masks, seccomp program), so
/// the C side only executes a list and the policy is unit-tested.
struct InitSpec {
  struct Namespaces {
    /// "new", "host" or a /proc/<pid>/ns/<kind> path, per kind.
    var pid = "new", net = "new", ipc = "new", uts = "new"
    var cgroup = "host"
  }

  var bundle: String
  var rootfs: String
  var snapshotsDirectory: String
  /// Overlay lower directories, topmost first, relative to `snapshotsDirectory`.
  var lowerDirectories: [String]
  var upper: String
  var work: String
  var startFIFO: String
  var logPath: String
  var logMaxSize: Int64
  var logMaxFiles: Int
  var hostname: String?
  var namespaces = Namespaces()
  var cgroupProcs: [String]
  var arguments: [String]
  var environment: [String]
  var workingDir: String
  var uid: UInt32, gid: UInt32
  var groups: [UInt32]
  var capabilities: UInt64
  var noNewPrivileges: Bool
  var seccomp: [UInt8]?
  var readOnlyRootfs: Bool
  var privileged: Bool
  var mounts: [ContainerSpec.Mount]
  var maskedPaths: [String]
  var readOnlyPaths: [String]
  var rlimits: [ContainerSpec.Rlimit]
  var oomScoreAdj: Int?
  var tty: Bool
  var stdin: Bool
  var foreground: Bool

  /// containerd's default masked and read-only paths.
  static let defaultMaskedPaths = [
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
  ]
  static let defaultReadOnlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]

  /// A kernel or bind mount as the C side's `mount` record:
  /// kind (dir|file|auto), source, destination, fstype, flags, propagation, data.
  struct MountRecord: Equatable {
    var kind = "dir"
    var source: String
    var destination: String
    var type: String
    var flags: UInt
    var propagation: UInt = 0
    var data: String = ""

    var fields: [String] { [kind, source, destination, type, "\(flags)", "\(propagation)", data] }
  }

  func mountRecords() -> [MountRecord] {
    let nosuid = UInt(MS_NOSUID), noexec = UInt(MS_NOEXEC), nodev = UInt(MS_NODEV)
    var records = [
      MountRecord(source: "proc", destination: "/proc", type: "proc", flags: nosuid | noexec | nodev),
      MountRecord(
        source: "tmpfs", destination: "/dev", type: "tmpfs", flags: nosuid | UInt(MS_STRICTATIME),
        data: "mode=755,size=65536k"),
      MountRecord(
        source: "devpts", destination: "/dev/pts", type: "devpts", flags: nosuid | noexec,
        data: "newinstance,ptmxmode=0666,mode=0620,gid=5"),
      MountRecord(
        source: "shm", destination: "/dev/shm", type: "tmpfs", flags: nosuid | noexec | nodev,
        data: "mode=1777,size=65536k"),
      MountRecord(source: "mqueue", destination: "/dev/mqueue", type: "mqueue", flags: nosuid | noexec | nodev),
    ]
    // sysfs can only be mounted in a network namespace we own; with the host's, bind it.
    let sysFlags = nosuid | noexec | nodev | (privileged ? 0 : UInt(MS_RDONLY))
    if namespaces.net == "host" {
      records.append(
        MountRecord(source: "/sys", destination: "/sys", type: "", flags: UInt(MS_BIND | MS_REC) | sysFlags))
    } else {
      records.append(MountRecord(source: "sysfs", destination: "/sys", type: "sysfs", flags: sysFlags))
    }
    if namespaces.cgroup == "new" {
      records.append(
        MountRecord(
          source: "cgroup", destination: "/sys/fs/cgroup", type: "cgroup2",
          flags: nosuid | noexec | nodev | (privileged ? 0 : UInt(MS_RDONLY))))
    }
    for mount in mounts {
      var flags = UInt(MS_BIND | MS_REC)
      if mount.readOnly { flags |= UInt(MS_RDONLY) }
      let propagation: UInt
      switch mount.propagation {
      case .private: propagation = UInt(MS_REC | MS_PRIVATE)
      case .hostToContainer: propagation = UInt(MS_REC | MS_SLAVE)
      case .bidirectional: propagation = UInt(MS_REC | MS_SHARED)
      }
      records.append(
        MountRecord(
          kind: "auto", source: mount.source, destination: mount.destination, type: "", flags: flags,
          propagation: propagation))
    }
    return records
  }

  /// Character devices every container gets: path, major, minor.
  static let devices: [(String, Int, Int)] = [
    ("/dev/null", 1, 3), ("/dev/zero", 1, 5), ("/dev/full", 1, 7), ("/dev/random", 1, 8), ("/dev/urandom", 1, 9),
    ("/dev/tty", 5, 0),
  ]

  static let symlinks: [(String, String)] = [
    ("/proc/self/fd", "/dev/fd"), ("/proc/self/fd/0", "/dev/stdin"), ("/proc/self/fd/1", "/dev/stdout"),
    ("/proc/self/fd/2", "/dev/stderr"), ("pts/ptmx", "/dev/ptmx"), ("/proc/kcore", "/dev/core"),
  ]

  func encode() -> [UInt8] {
    var encoder = SpecEncoder()
    encoder.add("bundle", bundle)
    encoder.add("rootfs", rootfs)
    encoder.add("snapshots_dir", snapshotsDirectory)
    for lower in lowerDirectories { encoder.add("lowerdir", lower) }
    encoder.add("upper", upper)
    encoder.add("work", work)
    encoder.add("start_fifo", startFIFO)
    encoder.add("log", logPath)
    encoder.add("log_max_size", "\(logMaxSize)")
    encoder.add("log_max_files", "\(logMaxFiles)")
    if let hostname { encoder.add("hostname", hostname) }
    encoder.add("ns_pid", namespaces.pid)
    encoder.add("ns_net", namespaces.net)
    encoder.add("ns_ipc", namespaces.ipc)
    encoder.add("ns_uts", namespaces.uts)
    encoder.add("ns_cgroup", namespaces.cgroup)
    encoder.flag("loopback_up", namespaces.net == "new")
    for file in cgroupProcs { encoder.add("cgroup_procs", file) }
    for record in mountRecords() { encoder.add("mount", fields: record.fields) }
    for (path, major, minor) in Self.devices {
      encoder.add("device", fields: [path, "c", "\(major)", "\(minor)", "666", "0", "0"])
    }
    for (target, link) in Self.symlinks { encoder.add("symlink", fields: [target, link]) }
    for path in maskedPaths { encoder.add("masked_path", path) }
    for path in readOnlyPaths { encoder.add("readonly_path", path) }
    encoder.flag("readonly_rootfs", readOnlyRootfs)
    for limit in rlimits { encoder.add("rlimit", fields: ["\(limit.type)", "\(limit.soft)", "\(limit.hard)"]) }
    if let oomScoreAdj { encoder.add("oom_score_adj", "\(oomScoreAdj)") }
    encodeProcess(&encoder)
    encoder.flag("tty", tty)
    encoder.flag("stdin", stdin)
    encoder.flag("foreground", foreground)
    return encoder.bytes
  }

  /// The part the container init and exec share.
  func encodeProcess(_ encoder: inout SpecEncoder) {
    for argument in arguments { encoder.add("arg", argument) }
    for variable in environment { encoder.add("env", variable) }
    encoder.add("cwd", workingDir)
    encoder.add("uid", "\(uid)")
    encoder.add("gid", "\(gid)")
    for group in groups { encoder.add("group", "\(group)") }
    for key in ["cap_bounding", "cap_effective", "cap_permitted"] { encoder.add(key, "\(capabilities)") }
    encoder.flag("no_new_privs", noNewPrivileges)
    if let seccomp { encoder.add("seccomp", seccomp) }
  }
}
