import Foundation
import SkiffTestSupport
import Testing

@testable import SkiffCLI

/// `skiff check-config` over directory trees shaped like /proc, /sys and /lib/modules, and on
/// this machine.
@Suite struct HostCheckerTests {
  /// A host tree: files by absolute path, written under a temporary root.
  private func host(_ files: [String: String]) throws -> HostFiles {
    let root = try Command.temporaryDirectory("host")
    for (path, contents) in files {
      let full = root + path
      try FileManager.default.createDirectory(
        atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try contents.write(toFile: full, atomically: true, encoding: .utf8)
    }
    return HostFiles(root: root)
  }

  private static let namespaces = Dictionary(
    uniqueKeysWithValues: ["user", "pid", "net", "mnt", "uts", "ipc"].map { ("/proc/self/ns/\($0)", "") })

  /// A complete cgroup v2 host with modules loadable from /lib/modules.
  private static let healthy: [String: String] = namespaces.merging([
    "/proc/sys/kernel/osrelease": "6.1.0-test\n",
    "/sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n",
    "/proc/filesystems": "nodev\tsysfs\nnodev\toverlay\n",
    "/proc/modules": "nf_tables 282624 0 - Live 0x0\nbridge 311296 1 br_netfilter, Live 0x0\n",
    "/lib/modules/6.1.0-test/modules.builtin": "kernel/drivers/net/veth.ko\n",
    "/lib/modules/6.1.0-test/modules.dep":
      "kernel/drivers/net/vxlan/vxlan.ko.xz: kernel/net/ipv4/udp_tunnel.ko.xz\nkernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz\n",
    "/proc/self/status": "Name:\tcat\nSeccomp:\t0\nSeccomp_filters:\t0\n",
    "/proc/sys/kernel/seccomp/actions_avail": "kill_process kill_thread trap errno user_notif trace log allow\n",
    "/proc/sys/net/ipv4/ip_forward": "1\n",
    "/proc/sys/user/max_user_namespaces": "15000\n",
    "/usr/sbin/nft": "",
  ]) { $1 }

  private func checks(_ files: [String: String]) throws -> [String: HostCheck] {
    let files = try host(files)
    if FileManager.default.fileExists(atPath: files.path("/usr/sbin/nft")) {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: files.path("/usr/sbin/nft"))
    }
    let rows = HostChecker(files: files).run()
    return Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
  }

  @Test func healthyV2HostPassesEveryCheck() throws {
    let rows = try checks(Self.healthy)
    #expect(rows.count == 19)
    for row in rows.values { #expect(row.status == .pass, "\(row.name): \(row.detail)") }
    #expect(rows["cgroups"]?.detail == "v2 (unified)")
    #expect(rows["nf_tables"]?.detail == "loaded")
    #expect(rows["veth"]?.detail == "built in")
    #expect(rows["vxlan"]?.detail == "loadable (modprobe vxlan)")
    #expect(rows["br_netfilter"]?.detail == "loadable (modprobe br_netfilter)")
    #expect(rows["nft binary"]?.detail == "/usr/sbin/nft")
  }

  @Test func missingMemoryControllerFailsWithTheRaspberryPiHint() throws {
    var files = Self.healthy
    files["/sys/fs/cgroup/cgroup.controllers"] = "cpuset cpu io pids\n"
    let rows = try checks(files)
    #expect(rows["cgroup memory"]?.status == .fail)
    #expect(rows["cgroup memory"]?.detail.contains("cgroup_memory=1 cgroup_enable=memory") == true)
    #expect(rows["cgroup pids"]?.status == .pass)
  }

  @Test func cgroupV1ReadsProcCgroupsAndTheMounts() throws {
    var files = Self.healthy
    files["/sys/fs/cgroup/cgroup.controllers"] = nil
    files["/proc/cgroups"] =
      "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t10\t1\nmemory\t4\t10\t0\npids\t8\t1\t1\n"
    files["/sys/fs/cgroup/cpu/tasks"] = ""
    let rows = try checks(files)
    #expect(rows["cgroups"]?.detail == "v1")
    #expect(rows["cgroup cpu"]?.status == .pass)
    #expect(rows["cgroup memory"]?.status == .fail)
    #expect(rows["cgroup memory"]?.detail.hasPrefix("disabled") == true)
    #expect(rows["cgroup pids"]?.status == .fail)  // enabled, but not mounted
    #expect(rows["cgroup pids"]?.detail.contains("not mounted") == true)
  }

  @Test func missingOptionalFeaturesWarnAndRequiredOnesFail() throws {
    var files = Self.healthy
    files["/lib/modules/6.1.0-test/modules.dep"] = ""
    files["/proc/modules"] = ""
    files["/lib/modules/6.1.0-test/modules.builtin"] = ""
    files["/proc/sys/net/ipv4/ip_forward"] = "0\n"
    files["/usr/sbin/nft"] = nil
    files["/proc/self/ns/user"] = nil
    files["/proc/self/ns/pid"] = nil
    let rows = try checks(files)
    for required in ["nf_tables", "bridge", "veth", "nft binary", "namespace pid"] {
      #expect(rows[required]?.status == .fail, "\(required)")
    }
    for optional in ["vxlan", "br_netfilter", "ip forwarding", "namespace user"] {
      #expect(rows[optional]?.status == .warn, "\(optional)")
    }
  }

  /// Built-in modules show only in the kernel config on machines without /lib/modules.
  @Test func kernelConfigCountsForModules() throws {
    var files = Self.healthy
    files["/proc/modules"] = nil
    files["/lib/modules/6.1.0-test/modules.dep"] = nil
    files["/lib/modules/6.1.0-test/modules.builtin"] = nil
    files["/boot/config-6.1.0-test"] = "CONFIG_NF_TABLES=y\nCONFIG_BRIDGE=y\nCONFIG_VETH=y\nCONFIG_VXLAN=m\n"
    let rows = try checks(files)
    #expect(rows["nf_tables"]?.status == .pass)
    #expect(rows["veth"]?.detail == "built in (CONFIG_VETH=y)")
    #expect(rows["vxlan"]?.status == .warn)  // =m, but no module file to load
    #expect(rows["br_netfilter"]?.status == .warn)
  }

  @Test func moduleFileNames() {
    #expect(HostChecker.moduleFile("kernel/net/bridge/br_netfilter.ko.zst", named: "br_netfilter"))
    #expect(HostChecker.moduleFile("kernel/net/bridge/bridge.ko", named: "bridge"))
    #expect(!HostChecker.moduleFile("kernel/net/bridge/bridge.ko", named: "br_netfilter"))
    #expect(!HostChecker.moduleFile("kernel/net/bridge", named: "bridge"))
  }

  /// The real command on this machine: every row is printed, and the exit status agrees with it.
  @Test func checkConfigOnThisMachine() async throws {
    let result = try await Command.run(SkiffServerProcess.binary, ["check-config"], environment: nil, directory: nil)
    let expected = HostChecker(files: HostFiles()).run()
    let lines = result.output.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("CHECK") == true)
    for check in expected {
      #expect(lines.contains { $0.hasPrefix(check.name + " ") && $0.contains(check.status.rawValue) }, "\(check.name)")
    }
    let failed = expected.contains { $0.status == .fail }
    #expect(result.status == (failed ? 1 : 0), "\(result.output)")
    #expect(lines.contains { $0.contains("passed,") && $0.contains("failed") })
  }
}
