import CRuntime
import Foundation
import Glibc

extension ContainerRuntime {
  /// Lets a created container's init exec the user's command, and returns once it has: the
  /// init holds the FIFO's close-on-exec write end, so end-of-file after its byte means exec.
  public func start(_ id: String) throws {
    let directory = bundle(id)
    let status = try self.status(id)
    guard status.state == .created else {
      throw RuntimeError(.failedPrecondition, "container \"\(id)\" is \(status.state.rawValue), not created")
    }
    let fd = open(directory + "/start", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw RuntimeError.io("cannot open the start FIFO of \(id)", errno: errno) }
    defer { close(fd) }
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    var released = false
    var waited: Int32 = 0
    waiting: while waited <= 10_000 {
      guard poll(&entry, 1, 100) > 0 else {
        waited += 100
        if !released, (try? self.status(id).state) != .created { break }
        continue
      }
      var byte: UInt8 = 0
      switch read(fd, &byte, 1) {
      case 1: released = true
      case 0 where released: break waiting  // exec'd, or failed on the way there: its status tells
      case 0: throw RuntimeError(.failedPrecondition, "container \"\(id)\" exited before it started: \(errorText(id))")
      default: continue  // EINTR
      }
    }
    guard released else {
      throw RuntimeError(.failedPrecondition, "container \"\(id)\" did not start: \(errorText(id))")
    }
    try FileSystem.writeAtomically(directory + "/started", Array("\(Self.nowNanoseconds())".utf8))
  }

  func errorText(_ id: String) -> String {
    (try? FileSystem.readString(bundle(id) + "/error"))?.trimmed ?? "no error recorded"
  }

  /// Sends a signal to the container's init (and so, in its own pid namespace, ends it on SIGKILL).
  public func kill(_ id: String, signal: Int32) throws {
    let status = try self.status(id)
    guard status.state == .running || status.state == .created, let pid = status.pid else {
      throw RuntimeError(.failedPrecondition, "container \"\(id)\" is not running")
    }
    let pidfd = skiff_pidfd_open(pid)
    guard pidfd >= 0 else { return }  // exited meanwhile
    defer { close(pidfd) }
    let rc = skiff_pidfd_send_signal(pidfd, signal)
    guard rc == 0 || rc == -ESRCH else { throw RuntimeError.io("cannot signal container \(id)", errno: -rc) }
    if signal == SIGKILL { killCgroupProcesses(id) }
  }

  /// SIGTERM (or the image's stop signal), then SIGKILL after the grace period.
  public func stop(_ id: String, grace: Duration = .seconds(10)) async throws -> ContainerStatus {
    let record = try loadRecord(id)
    var status = try self.status(id)
    if status.state == .exited { return status }
    let signal = record.stopSignal.flatMap(Signals.number) ?? SIGTERM
    if status.state == .running {
      try? kill(id, signal: signal)
      let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
      if let finished = try await wait(id, timeout: seconds) { return finished }
    }
    try? kill(id, signal: SIGKILL)
    status = try await wait(id, timeout: 30) ?? self.status(id)
    return status
  }

  /// Waits for the container to exit and returns its final status.
  public func wait(_ id: String) async throws -> ContainerStatus {
    while true {
      if let status = try await wait(id, timeout: 3600) { return status }
    }
  }

  /// Waits up to `timeout` seconds; nil if still running.
  public func wait(_ id: String, timeout: Double) async throws -> ContainerStatus? {
    let runtime = self
    return try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(with: Result { try runtime.waitBlocking(id, timeout: timeout) })
      }
    }
  }

  /// The blocking form of `wait`, for callers on their own thread (benchmarks, CLI).
  public func waitBlocking(_ id: String, timeout: Double) throws -> ContainerStatus? {
    let directory = bundle(id)
    if let pid = foregroundShims.withLock({ $0[id] }) {
      // A foreground shim is our child: reap it, but only once it has exited.
      var entry = pollfd(fd: skiff_pidfd_open(pid), events: Int16(POLLIN), revents: 0)
      defer { if entry.fd >= 0 { close(entry.fd) } }
      if entry.fd >= 0 && poll(&entry, 1, Int32(min(timeout * 1000, 2e9))) == 0 { return nil }
      _ = foregroundShims.withLock { $0.removeValue(forKey: id) }
      _ = ProcessSpawner.waitExit(pid)
      return try status(id)
    }
    if FileSystem.exists(directory + "/exit") { return try status(id) }
    guard let shimPID = Int32((try? FileSystem.readString(directory + "/shim.pid"))?.trimmed ?? "") else {
      return try status(id)
    }
    let pidfd = skiff_pidfd_open(shimPID)
    if pidfd >= 0 {
      defer { close(pidfd) }
      // The exit file may have appeared between the check and the open.
      if !FileSystem.exists(directory + "/exit") {
        guard ProcessInfoReader.waitForExit(pidfd: pidfd, timeoutMilliseconds: Int32(min(timeout * 1000, 2e9)))
        else { return nil }
      }
    }
    return try status(id)
  }

  /// Removes a container that is not running: kills leftovers, its cgroup and its directory.
  public func remove(_ id: String, force: Bool = false) throws {
    let status = try self.status(id)
    if status.state == .running || status.state == .created {
      guard force else {
        throw RuntimeError(.failedPrecondition, "container \"\(id)\" is \(status.state.rawValue): stop it first")
      }
      try? kill(id, signal: SIGKILL)
      _ = try waitBlocking(id, timeout: 10)
    }
    let record = try? loadRecord(id)
    try removeCgroup(record?.cgroupName ?? id)
    // Renaming is instant; deleting the files (upper layer included) happens off the caller's path.
    let trash = "\(root)/containers/.trash-\(id)-\(UInt32.random(in: 0...UInt32.max))"
    guard rename(bundle(id), trash) == 0 else {
      try FileSystem.removeTree(bundle(id))
      return
    }
    Thread.detachNewThread { try? FileSystem.removeTree(trash) }
  }

  /// Deletes bundles left in the trash by a remove that was interrupted (agent restart).
  func emptyTrash() {
    for name in FileSystem.list("\(root)/containers") where name.hasPrefix(".trash-") {
      try? FileSystem.removeTree("\(root)/containers/\(name)")
    }
  }

  /// Kills whatever is still in a cgroup (processes that escaped into a shared pid
  /// namespace), then removes the cgroup directories, retrying while the kernel lets go.
  func removeCgroup(_ name: String) throws {
    var lastError: Error?
    for attempt in 0..<50 {
      for pid in cgroups.processes(name) { Glibc.kill(pid, SIGKILL) }
      do {
        try cgroups.destroy(name)
        return
      } catch {
        lastError = error
        usleep(UInt32(min(2000 * (attempt + 1), 50_000)))
      }
    }
    if let lastError { throw lastError }
  }

  func killCgroupProcesses(_ id: String) {
    let name = (try? loadRecord(id))?.cgroupName ?? id
    for pid in cgroups.processes(name) { Glibc.kill(pid, SIGKILL) }
  }

  static func nowNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
  }
}

/// Signal names as images write them (`SIGTERM`, `TERM`, `15`).
enum Signals {
  static let names: [String: Int32] = [
    "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
    "TERM": SIGTERM, "STOP": SIGSTOP, "CONT": SIGCONT, "WINCH": SIGWINCH, "PWR": SIGPWR,
  ]

  static func number(_ text: String) -> Int32? {
    if let value = Int32(text) { return value }
    var name = text.uppercased()
    if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
    return names[name]
  }
}
