import CRuntime
import Foundation
import Glibc

/// A process started by `exec`; the caller owns the stdio fds it passed in.
public struct ExecProcess: Sendable {
  public let pid: Int32

  /// Blocks until the process exits; returns its exit code (128+signal when killed).
  public func waitBlocking() -> Int32 { ProcessSpawner.waitExit(pid) }

  public func wait() async -> Int32 {
    await withCheckedContinuation { continuation in
      let pid = self.pid
      Thread.detachNewThread { continuation.resume(returning: ProcessSpawner.waitExit(pid)) }
    }
  }

  public func signal(_ signal: Int32) { Glibc.kill(pid, signal) }
}

/// A pseudo-terminal for an exec with `tty`: give `slave` as the process's stdio, keep `master`.
public struct Terminal: Sendable {
  public let master: Int32
  public let slave: Int32

  public static func open() throws -> Terminal {
    var master: Int32 = -1
    var slave: Int32 = -1
    let rc = skiff_openpty(&master, &slave)
    guard rc == 0 else { throw RuntimeError.io("cannot open a terminal", errno: -rc) }
    return Terminal(master: master, slave: slave)
  }

  public func resize(rows: UInt16, columns: UInt16) { _ = skiff_set_winsize(master, rows, columns) }

  /// The window size of a terminal fd (the user's), if it is one.
  public static func size(of fd: Int32) -> (rows: UInt16, columns: UInt16)? {
    var rows: UInt16 = 0
    var columns: UInt16 = 0
    return skiff_get_winsize(fd, &rows, &columns) == 0 ? (rows, columns) : nil
  }

  /// Puts the user's terminal in raw mode; call the returned closure to restore it.
  public static func makeRaw(_ fd: Int32) -> (@Sendable () -> Void)? {
    var saved = [UInt8](repeating: 0, count: 128)
    guard skiff_tty_raw(fd, &saved, saved.count) == 0 else { return nil }
    let settings = saved
    return { _ = settings.withUnsafeBytes { skiff_tty_restore(fd, $0.baseAddress, $0.count) } }
  }
}

extension ContainerRuntime {
  /// Runs a command in a running container with its namespaces, cgroup, user, capabilities
  /// and seccomp filter. `stdin`/`stdout`/`stderr` become the process's fds 0–2 (-1: /dev/null).
  public func exec(_ id: String, _ exec: ExecSpec, stdin: Int32, stdout: Int32, stderr: Int32) throws -> ExecProcess {
    let record = try loadRecord(id)
    let status = try self.status(id)
    guard status.state == .running, let pid = status.pid else {
      throw RuntimeError(.failedPrecondition, "container \"\(id)\" is not running")
    }
    var uid = record.uid
    var gid = record.gid
    var groups = record.groups
    if let user = exec.user {
      let image = try images.resolve(record.imageID.description)
      let resolver = UserResolver(
        passwd: imageFile("etc/passwd", chain: image.record.chainIDs),
        group: imageFile("etc/group", chain: image.record.chainIDs))
      let resolved = try resolver.resolve(user.user, group: user.group, supplemental: user.supplementalGroups)
      (uid, gid, groups) = (resolved.uid, resolved.gid, resolved.groups)
    }
    var env = CommandResolver.mergeEnv(image: record.env, container: exec.env)
    if exec.tty && !env.contains(where: { $0.hasPrefix("TERM=") }) { env.append("TERM=xterm") }
    guard !exec.command.isEmpty else { throw RuntimeError(.invalidArgument, "exec needs a command") }
    let spec = InitSpec(
      bundle: bundle(id), rootfs: "", snapshotsDirectory: "", lowerDirectories: [], upper: "", work: "",
      startFIFO: "", logPath: "", logMaxSize: 0, logMaxFiles: 0, cgroupProcs: cgroups.procsFiles(record.cgroupName),
      arguments: exec.command, environment: env, workingDir: exec.workingDir ?? record.workingDir, uid: uid, gid: gid,
      groups: groups, capabilities: record.capabilities, noNewPrivileges: record.spec.security.noNewPrivileges,
      seccomp: record.seccomp ? try FileSystem.read(bundle(id) + "/seccomp.bpf") : nil, readOnlyRootfs: false,
      privileged: false, mounts: [], maskedPaths: [],
      readOnlyPaths: [], rlimits: [], oomScoreAdj: nil, tty: exec.tty, stdin: true, foreground: false)
    var encoder = SpecEncoder()
    encoder.add("pid", "\(pid)")
    for file in spec.cgroupProcs { encoder.add("cgroup_procs", file) }
    spec.encodeProcess(&encoder)
    encoder.flag("tty", exec.tty)
    let specFD = try ProcessSpawner.specFile(encoder.bytes)
    defer { close(specFD) }
    let child = try ProcessSpawner.spawn(shim, mode: "__exec", fds: [stdin, stdout, stderr, specFD], newSession: false)
    return ExecProcess(pid: child)
  }

  /// Connects to the container's shim for its live output (and input, when opened with stdin).
  /// Frames from the shim: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, u32 big-endian
  /// length, data; bytes written to the socket go to the container's stdin.
  public func attach(_ id: String) throws -> Int32 {
    _ = try loadRecord(id)
    let path = bundle(id) + "/attach.sock"
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw RuntimeError.io("cannot create a socket", errno: errno) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
      close(fd)
      throw RuntimeError(.unsupported, "attach socket path too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    guard rc == 0 else {
      let saved = errno
      close(fd)
      throw RuntimeError.io("cannot attach to container \(id) (is it running?)", errno: saved)
    }
    return fd
  }

  /// Resizes the terminal of a container created with `tty`.
  public func resizeTerminal(_ id: String, rows: UInt16, columns: UInt16) throws {
    let fd = open(bundle(id) + "/resize", O_WRONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw RuntimeError.io("cannot resize the terminal of \(id)", errno: errno) }
    defer { close(fd) }
    try FileSystem.writeAll(fd, Array("\(rows) \(columns)\n".utf8), path: "resize FIFO")
  }
}
