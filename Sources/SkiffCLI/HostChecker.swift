import Foundation

/// One row of `skiff check-config`.
struct HostCheck: Sendable, Equatable {
  enum Status: String, Sendable {
    case pass, warn, fail
  }

  let name: String
  let status: Status
  let detail: String
}

/// The kernel and host features skiff needs, read from files only (so tests can hand it a
/// directory tree): required ones fail the check, optional ones warn.
struct HostChecker: Sendable {
  let files: HostFiles

  /// Every row, in the order `check-config` prints them.
  func run() -> [HostCheck] {
    namespaces() + cgroups() + [
      overlay(),
      module("nf_tables", config: "NF_TABLES", required: true, purpose: "service proxy and network policy"),
      nftBinary(),
      module("vxlan", config: "VXLAN", required: false, purpose: "pod traffic between nodes"),
      module("bridge", config: "BRIDGE", required: true, purpose: "the pod bridge skiff0"),
      module("br_netfilter", config: "BRIDGE_NETFILTER", required: false, purpose: "services seen from the same node"),
      module("veth", config: "VETH", required: true, purpose: "pod network interfaces"),
      seccomp(),
      ipForwarding(),
    ]
  }

  func namespaces() -> [HostCheck] {
    let kinds: [(row: String, file: String, required: Bool)] = [
      ("user", "user", false), ("pid", "pid", true), ("net", "net", true), ("mount", "mnt", true),
      ("uts", "uts", true), ("ipc", "ipc", true),
    ]
    return kinds.map { kind in
      let name = "namespace \(kind.row)"
      guard files.exists("/proc/self/ns/\(kind.file)") else {
        return HostCheck(
          name: name, status: kind.required ? .fail : .warn, detail: "kernel built without \(kind.row) namespaces")
      }
      if kind.file == "user", let limit = files.read("/proc/sys/user/max_user_namespaces"), trimmed(limit) == "0" {
        return HostCheck(name: name, status: .warn, detail: "user.max_user_namespaces is 0")
      }
      return HostCheck(name: name, status: .pass, detail: "")
    }
  }

  /// cgroup v2 when /sys/fs/cgroup is the unified hierarchy, else v1 controllers from /proc/cgroups.
  func cgroups() -> [HostCheck] {
    let wanted = ["memory", "pids", "cpu"]
    var available: [String: String] = [:]  // controller -> why it is missing ("" when present)
    let version: HostCheck
    if let controllers = files.read("/sys/fs/cgroup/cgroup.controllers") {
      let names = Set(controllers.split(whereSeparator: \.isWhitespace).map(String.init))
      version = HostCheck(name: "cgroups", status: .pass, detail: "v2 (unified)")
      for controller in wanted {
        available[controller] = names.contains(controller) ? "" : "not in /sys/fs/cgroup/cgroup.controllers"
      }
    } else if let table = files.read("/proc/cgroups") {
      version = HostCheck(name: "cgroups", status: .pass, detail: "v1")
      var enabled: [String: Bool] = [:]
      for line in table.split(separator: "\n") where !line.hasPrefix("#") {
        let fields = line.split(whereSeparator: \.isWhitespace)
        if fields.count >= 4 { enabled[String(fields[0])] = fields[3] == "1" }
      }
      for controller in wanted {
        if enabled[controller] != true {
          available[controller] = enabled[controller] == nil ? "not in the kernel" : "disabled (/proc/cgroups)"
        } else if !files.exists("/sys/fs/cgroup/\(controller)") {
          available[controller] = "not mounted at /sys/fs/cgroup/\(controller)"
        } else {
          available[controller] = ""
        }
      }
    } else {
      return [
        HostCheck(name: "cgroups", status: .fail, detail: "neither /sys/fs/cgroup/cgroup.controllers nor /proc/cgroups")
      ]
        + wanted.map { HostCheck(name: "cgroup \($0)", status: .fail, detail: "no cgroups") }
    }
    return [version]
      + wanted.map { controller in
        let missing = available[controller] ?? ""
        guard !missing.isEmpty else { return HostCheck(name: "cgroup \(controller)", status: .pass, detail: "") }
        var detail = missing
        if controller == "memory" {
          detail +=
            "; on a Raspberry Pi add `cgroup_memory=1 cgroup_enable=memory` to /boot/firmware/cmdline.txt and reboot"
        }
        return HostCheck(name: "cgroup \(controller)", status: .fail, detail: detail)
      }
  }

  func overlay() -> HostCheck {
    if let filesystems = files.read("/proc/filesystems"),
      filesystems.split(separator: "\n").contains(where: { $0.split(whereSeparator: \.isWhitespace).last == "overlay" })
    {
      return HostCheck(name: "overlayfs", status: .pass, detail: "in /proc/filesystems")
    }
    let found = moduleEvidence("overlay", config: "OVERLAY_FS")
    return HostCheck(
      name: "overlayfs", status: found.present ? .pass : .fail,
      detail: found.present ? found.how : "\(found.how): container images need overlayfs")
  }

  func nftBinary() -> HostCheck {
    if let path = files.executable("nft") { return HostCheck(name: "nft binary", status: .pass, detail: path) }
    return HostCheck(name: "nft binary", status: .fail, detail: "not found: apt-get install nftables")
  }

  func module(_ name: String, config: String, required: Bool, purpose: String) -> HostCheck {
    let found = moduleEvidence(name, config: config)
    if found.present { return HostCheck(name: name, status: .pass, detail: found.how) }
    return HostCheck(name: name, status: required ? .fail : .warn, detail: "\(found.how): needed for \(purpose)")
  }

  func seccomp() -> HostCheck {
    let status = files.read("/proc/self/status") ?? ""
    guard status.split(separator: "\n").contains(where: { $0.hasPrefix("Seccomp:") }) else {
      return HostCheck(name: "seccomp", status: .fail, detail: "kernel built without CONFIG_SECCOMP")
    }
    let actions = files.read("/proc/sys/kernel/seccomp/actions_avail").map(trimmed) ?? ""
    guard actions.isEmpty || actions.contains("errno") else {
      return HostCheck(name: "seccomp", status: .fail, detail: "no SECCOMP_RET_ERRNO (filters not supported)")
    }
    return HostCheck(name: "seccomp", status: .pass, detail: actions.isEmpty ? "" : "filters")
  }

  func ipForwarding() -> HostCheck {
    let value = files.read("/proc/sys/net/ipv4/ip_forward").map(trimmed)
    if value == "1" { return HostCheck(name: "ip forwarding", status: .pass, detail: "net.ipv4.ip_forward=1") }
    return HostCheck(
      name: "ip forwarding", status: .warn,
      detail: "net.ipv4.ip_forward=\(value ?? "?"): pods cannot reach beyond this node; sysctl -w net.ipv4.ip_forward=1"
    )
  }

  /// Whether a kernel module is loaded, built in, or can be loaded, and how we know.
  func moduleEvidence(_ name: String, config: String) -> (present: Bool, how: String) {
    if let loaded = files.read("/proc/modules"),
      loaded.split(separator: "\n").contains(where: { $0.hasPrefix(name + " ") })
    {
      return (true, "loaded")
    }
    if files.exists("/sys/module/\(name)") { return (true, "loaded or built in (/sys/module)") }
    let release = files.read("/proc/sys/kernel/osrelease").map(trimmed) ?? ""
    let directory = "/lib/modules/\(release)"
    if !release.isEmpty, let builtin = files.read("\(directory)/modules.builtin"),
      builtin.split(separator: "\n").contains(where: { Self.moduleFile($0, named: name) })
    {
      return (true, "built in")
    }
    if !release.isEmpty, let dependencies = files.read("\(directory)/modules.dep"),
      dependencies.split(separator: "\n").contains(where: {
        Self.moduleFile($0.split(separator: ":", maxSplits: 1).first ?? "", named: name)
      })
    {
      return (true, "loadable (modprobe \(name))")
    }
    let setting = kernelConfig(release: release)?["CONFIG_\(config)"]
    if setting == "y" { return (true, "built in (CONFIG_\(config)=y)") }
    if setting == "m" { return (false, "CONFIG_\(config)=m but \(directory) does not have the module") }
    return (false, "not loaded, not built in, no module in \(directory)")
  }

  /// `CONFIG_…` settings from /boot/config-<release> or /proc/config.gz, when either exists.
  func kernelConfig(release: String) -> [String: String]? {
    guard let text = files.read("/boot/config-\(release)") ?? files.read("/proc/config.gz") else { return nil }
    var settings: [String: String] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("CONFIG_") {
      let parts = line.split(separator: "=", maxSplits: 1)
      if parts.count == 2 { settings[String(parts[0])] = String(parts[1]) }
    }
    return settings
  }

  /// Whether a path like `kernel/net/bridge/br_netfilter.ko.xz` is the module `name`.
  static func moduleFile(_ path: Substring, named name: String) -> Bool {
    guard let file = path.split(separator: "/").last else { return false }
    let base = file.split(separator: ".").first.map(String.init) ?? ""
    let normalized = { (text: String) in text.replacingOccurrences(of: "-", with: "_") }
    return file.contains(".ko") && normalized(base) == normalized(name)
  }

  private func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
