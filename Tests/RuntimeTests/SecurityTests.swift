import Foundation
import Testing

@testable import Runtime

@Suite struct SecurityTests {
  @Test func defaultCapabilitiesMatchContainerd() throws {
    let set = try Capabilities.effectiveSet(add: [], drop: [], privileged: false)
    #expect(Set(Capabilities.list(set)) == Set(Capabilities.defaultSet))
    #expect(!Capabilities.list(set).contains("SYS_ADMIN"))
  }

  @Test func addAndDropFollowCRI() throws {
    let set = try Capabilities.effectiveSet(add: ["CAP_SYS_ADMIN"], drop: ["chown"], privileged: false)
    #expect(Capabilities.list(set).contains("SYS_ADMIN"))
    #expect(!Capabilities.list(set).contains("CHOWN"))
    let only = try Capabilities.effectiveSet(add: ["NET_ADMIN"], drop: ["ALL"], privileged: false)
    #expect(Capabilities.list(only) == ["NET_ADMIN"])
    #expect(throws: RuntimeError.self) { try Capabilities.effectiveSet(add: ["NOPE"], drop: [], privileged: false) }
  }

  @Test func embeddedProfileIsTheShippedFile() throws {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("conf/seccomp/runtime-default.json")
    let shipped = try String(contentsOf: file, encoding: .utf8)
    #expect(shipped.trimmed == SeccompProfile.runtimeDefaultJSON.trimmed)
  }

  @Test func runtimeDefaultRefusesNamespaceAndMountCallsWithoutSysAdmin() throws {
    let profile = SeccompProfile.runtimeDefault
    let rules = profile.syscalls ?? []
    let plain: Set<String> = ["CAP_CHOWN"]
    let admin: Set<String> = ["CAP_SYS_ADMIN"]
    func allowed(_ name: String, _ caps: Set<String>) -> Bool {
      rules.contains { rule in
        rule.action == "SCMP_ACT_ALLOW" && (rule.names ?? []).contains(name) && rule.args == nil
          && SeccompProfile.applies(rule, capabilities: caps, arches: ["SCMP_ARCH_X86_64"])
      }
    }
    for name in ["mount", "unshare", "setns", "pivot_root", "umount2"] {
      #expect(!allowed(name, plain), "\(name) must be refused without CAP_SYS_ADMIN")
      #expect(allowed(name, admin), "\(name) must be allowed with CAP_SYS_ADMIN")
    }
    for name in ["kexec_load", "init_module", "ptrace", "bpf", "keyctl", "io_uring_setup"] {
      #expect(!allowed(name, plain), "\(name) must be refused by default")
    }
    for name in ["read", "write", "execve", "openat", "futex", "clock_gettime", "capset", "setresuid"] {
      #expect(allowed(name, plain), "\(name) must be allowed")
    }
  }

  @Test func profileCompilesToBPF() throws {
    let program = try SeccompProfile.runtimeDefault.compile(capabilities: ["CAP_CHOWN"])
    // struct sock_filter is 8 bytes; a real allowlist is hundreds of instructions.
    #expect(program.count % 8 == 0)
    #expect(program.count > 8 * 100)
  }

  @Test func resolvesUsersAndGroupsFromImageFiles() throws {
    let resolver = UserResolver(
      passwd: "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
      group: "root:x:0:\napp:x:1000:\nextra:x:2000:app,other\nstaff:x:50:\n")
    #expect(try resolver.resolve("") == .init(uid: 0, gid: 0, groups: [], home: "/root"))
    #expect(try resolver.resolve("app") == .init(uid: 1000, gid: 1000, groups: [2000], home: "/home/app"))
    #expect(try resolver.resolve("app:staff").gid == 50)
    #expect(try resolver.resolve("4242:4343") == .init(uid: 4242, gid: 4343, groups: [], home: nil))
    #expect(try resolver.resolve("1000", supplemental: [7]).groups == [2000, 7])
    #expect(throws: RuntimeError.self) { try resolver.resolve("ghost") }
    #expect(throws: RuntimeError.self) { try resolver.resolve("app:ghosts") }
  }
}
