import Foundation
import Glibc
import SkiffTestSupport
import Testing

@testable import Runtime

/// Privileged tests: real namespaces, overlayfs, cgroups and seccomp on the busybox image.
@Suite(.enabled(if: RuntimeFixture.canRun, "\(RuntimeFixture.skipReason ?? "")"), .serialized)
struct ContainerIntegrationTests {
  @Test func echoesAndReturnsExitCodes() async throws {
    let fixture = try RuntimeFixture()
    let (status, messages) = try await fixture.run("echo", ["sh", "-c", "echo hello; echo oops >&2; exit 3"])
    #expect(status.exitCode == 3)
    #expect(status.reason == "Error")
    #expect(messages.contains("hello"))
    #expect(messages.contains("oops"))
    let (ok, _) = try await fixture.run("true", ["true"])
    #expect(ok.exitCode == 0 && ok.reason == "Completed")
  }

  @Test func logsUseTheCRIFormatWithNanosecondTimestamps() async throws {
    let fixture = try RuntimeFixture()
    _ = try await fixture.run("logs", ["sh", "-c", "echo out; echo err >&2; printf partial"])
    let lines = try fixture.logLines("logs")
    let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] .*$/#
    #expect(lines.count == 3)
    for line in lines { #expect(line.wholeMatch(of: pattern) != nil, "bad CRI log line: \(line)") }
    #expect(lines.contains { $0.hasSuffix(" stdout F out") })
    #expect(lines.contains { $0.hasSuffix(" stderr F err") })
    #expect(lines.contains { $0.hasSuffix(" stdout F partial") })
  }

  @Test func appliesEnvUserAndWorkingDir() async throws {
    let fixture = try RuntimeFixture()
    let (status, messages) = try await fixture.run(
      "env", ["sh", "-c", "echo $GREETING $IMAGE_VAR; id -u; id -g; id -G; pwd"]
    ) {
      $0.env = ["GREETING=hi"]
      $0.user = .init(user: "app")
      $0.workingDir = "/home/app/work"
    }
    #expect(status.exitCode == 0)
    #expect(messages == ["hi from-image", "1000", "1000", "1000 2000", "/home/app/work"])
    let (_, numeric) = try await fixture.run("numeric", ["sh", "-c", "id -u; id -g"]) {
      $0.user = .init(user: "4242", group: "4343")
    }
    #expect(numeric == ["4242", "4343"])
  }

  @Test func layersAreStackedWithWhiteoutsAndOpaqueDirectories() async throws {
    let fixture = try RuntimeFixture()
    let (status, messages) = try await fixture.run(
      "layers",
      ["sh", "-c", "test ! -e /etc/motd && test ! -e /opt/lower-only && cat /opt/upper-only && stat -c %u /home/app"])
    #expect(status.exitCode == 0)
    #expect(messages == ["upper", "1000"])
  }

  @Test func memoryLimitEndsInOOMKilled() async throws {
    let fixture = try RuntimeFixture()
    let (status, _) = try await fixture.run("oom", ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"]) {
      $0.resources.memoryLimit = 16 << 20
    }
    #expect(status.reason == "OOMKilled")
    #expect(status.exitCode == 137)
  }

  @Test func pidsLimitStopsForks() async throws {
    let fixture = try RuntimeFixture()
    let (_, messages) = try await fixture.run(
      "pids", ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1 & done; wait; echo done"]
    ) { $0.resources.pidsLimit = 4 }
    #expect(messages.contains { $0.contains("can't fork") }, "log: \(messages)")
  }

  @Test func runtimeDefaultSeccompRefusesUnshareThatUnconfinedAllows() async throws {
    let fixture = try RuntimeFixture()
    let command = ["sh", "-c", "unshare -U -r -m sh -c 'mount -t tmpfs none /tmp' && echo allowed"]
    let (confined, confinedLog) = try await fixture.run("confined", command)
    #expect(confined.exitCode != 0)
    #expect(!confinedLog.contains("allowed"))
    let (free, freeLog) = try await fixture.run("unconfined", command) { $0.security.seccomp = .unconfined }
    #expect(free.exitCode == 0, "log: \(freeLog)")
    #expect(freeLog.contains("allowed"))
  }

  @Test func droppedCapabilitiesAreEnforced() async throws {
    let fixture = try RuntimeFixture()
    let (plain, _) = try await fixture.run("nohost", ["hostname", "changed"])
    #expect(plain.exitCode != 0)
    let (admin, adminLog) = try await fixture.run("hostok", ["sh", "-c", "hostname changed && hostname"]) {
      $0.security.capabilitiesAdd = ["SYS_ADMIN"]
    }
    #expect(admin.exitCode == 0)
    #expect(adminLog == ["changed"])
    let (chown, _) = try await fixture.run("nochown", ["chown", "1000", "/etc/passwd"]) {
      $0.security.capabilitiesDrop = ["CHOWN"]
    }
    #expect(chown.exitCode != 0)
    let (capsLog, caps) = try await fixture.run("caps", ["sh", "-c", "grep CapBnd /proc/self/status"])
    #expect(capsLog.exitCode == 0)
    let expected = try Capabilities.effectiveSet(add: [], drop: [], privileged: false)
    #expect(caps.first?.hasSuffix(String(format: "%016llx", expected)) == true, "\(caps)")
  }

  @Test func readOnlyRootFilesystem() async throws {
    let fixture = try RuntimeFixture()
    let (status, messages) = try await fixture.run(
      "ro", ["sh", "-c", "touch /x || echo refused; touch /dev/shm/ok && echo shm"]
    ) {
      $0.security.readOnlyRootFilesystem = true
    }
    #expect(status.exitCode == 0)
    #expect(messages.contains("refused") && messages.contains("shm"))
    #expect(messages.contains { $0.contains("Read-only file system") })
  }

  @Test func masksKernelPaths() async throws {
    let fixture = try RuntimeFixture()
    // Whichever masked file this kernel has reads as empty inside the container.
    let masked = try #require(
      InitSpec.defaultMaskedPaths.first { path in
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
      })
    let (_, messages) = try await fixture.run(
      "masked", ["sh", "-c", "wc -c < \(masked); echo 1 > /proc/sys/kernel/domainname || echo ro"])
    #expect(messages.first == "0")
    #expect(messages.contains("ro"))
  }

  @Test func execRunsInTheContainer() async throws {
    let fixture = try RuntimeFixture()
    var spec = ContainerSpec(id: "exec", image: TestImage.name)
    spec.command = ["sleep", "30"]
    spec.user = .init(user: "app")
    try fixture.runtime.create(spec)
    try fixture.runtime.start("exec")
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    let process = try fixture.runtime.exec(
      "exec", ExecSpec(command: ["sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; id -u; hostname"]),
      stdin: -1, stdout: fds[1], stderr: fds[1])
    close(fds[1])
    let output = String(
      decoding: try FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readToEnd() ?? Data(), as: UTF8.self)
    #expect(process.waitBlocking() == 0)
    let lines = output.split(separator: "\n").map(String.init)
    #expect(lines.first?.trimmingCharacters(in: .whitespaces) == "sleep 30")
    #expect(lines.dropFirst().first == "1000")
    #expect(lines.last == "exec")
    let code = try fixture.runtime.exec(
      "exec", ExecSpec(command: ["sh", "-c", "exit 7"]), stdin: -1, stdout: -1, stderr: -1
    )
    .waitBlocking()
    #expect(code == 7)
    let stats = try fixture.runtime.stats("exec")
    #expect(stats.pids >= 1)
    #expect(stats.memoryWorkingSetBytes > 0)
    let stopped = try await fixture.runtime.stop("exec", grace: .seconds(1))
    #expect(stopped.state == .exited)
  }

  @Test func containerSurvivesAnAgentRestartAndIsReadopted() async throws {
    let fixture = try RuntimeFixture()
    var spec = ContainerSpec(id: "survivor", image: TestImage.name)
    spec.command = ["sh", "-c", "echo up; sleep 60"]
    try fixture.runtime.create(spec)
    try fixture.runtime.start("survivor")
    let shimPID = Int32(try FileSystem.readString(fixture.runtime.bundle("survivor") + "/shim.pid").trimmed)!
    // The shim is not our child: it outlives the process that created it.
    let stat = try FileSystem.readString("/proc/\(shimPID)/stat")
    let parent = Int32(stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")[1])!
    #expect(parent != getpid())
    // A new runtime on the same directory (what a restarted agent creates) finds it running.
    let restarted = try ContainerRuntime(root: fixture.root, images: fixture.images)
    let (running, _) = restarted.recover()
    #expect(running.map(\.id) == ["survivor"])
    // Its output went to the log through the shim while nobody was attached.
    for _ in 0..<250 where (try? fixture.logMessages("survivor")) != ["up"] { usleep(20_000) }
    try restarted.kill("survivor", signal: SIGKILL)
    let status = try await restarted.wait("survivor")
    #expect(status.exitCode == 137)
    #expect(try fixture.logMessages("survivor") == ["up"])
  }

  @Test func removeLeavesNoMountsCgroupsOrProcesses() async throws {
    let fixture = try RuntimeFixture()
    var spec = ContainerSpec(id: "clean", image: TestImage.name)
    spec.command = ["sh", "-c", "sleep 60 & sleep 60"]
    spec.resources.memoryLimit = 64 << 20
    try fixture.runtime.create(spec)
    try fixture.runtime.start("clean")
    let pid = try #require(try fixture.runtime.status("clean").pid)
    let cgroupDirectories = fixture.runtime.cgroups.directories("clean")
    #expect(cgroupDirectories.allSatisfy { FileSystem.exists($0) })
    try fixture.runtime.remove("clean", force: true)
    #expect(cgroupDirectories.allSatisfy { !FileSystem.exists($0) })
    #expect(!FileSystem.exists(fixture.runtime.bundle("clean")))
    // The bundle's files are deleted in the background after the rename.
    for _ in 0..<250 where !FileSystem.list(fixture.root + "/containers").isEmpty { usleep(20_000) }
    #expect(FileSystem.list(fixture.root + "/containers").isEmpty)
    #expect(ProcessInfoReader.startTime(pid) == nil)
    let mounts = try FileSystem.readString("/proc/self/mountinfo")
    #expect(!mounts.contains(fixture.root))
  }

  @Test func sandboxSharesNetworkAndUTS() async throws {
    let fixture = try RuntimeFixture()
    let sandbox = try fixture.runtime.createSandbox(id: "pod1", options: SandboxOptions(hostname: "pod-host"))
    #expect(sandbox.isAlive)
    let (status, messages) = try await fixture.run("inpod", ["sh", "-c", "hostname; readlink /proc/self/ns/net"]) {
      $0.sandboxID = "pod1"
    }
    #expect(status.exitCode == 0)
    var buffer = [CChar](repeating: 0, count: 256)
    let n = readlink("/proc/\(sandbox.pid)/ns/net", &buffer, 255)
    let sandboxNet = String(decoding: buffer[0..<max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #expect(messages == ["pod-host", sandboxNet])
    try fixture.runtime.remove("inpod")
    try fixture.runtime.removeSandbox(id: "pod1")
    #expect(!sandbox.isAlive)
  }
}
