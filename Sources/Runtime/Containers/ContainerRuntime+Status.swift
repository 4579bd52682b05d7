import Foundation
import Glibc

extension ContainerRuntime {
  /// The container's state, read from its bundle: the exit file, the shim and init pids.
  public func status(_ id: String) throws -> ContainerStatus {
    let record = try loadRecord(id)
    let directory = bundle(id)
    var status = ContainerStatus(
      id: id, image: record.imageName, imageID: record.imageID.description, state: .unknown, pid: nil,
      createdAt: record.createdAt, logPath: record.logPath, labels: record.spec.labels)
    if let text = try? FileSystem.readString(directory + "/started"), let nanos = Int64(text.trimmed) {
      status.startedAt = Date(timeIntervalSince1970: Double(nanos) / 1e9)
    }
    if let text = try? FileSystem.readString(directory + "/exit") {
      let fields = text.split(separator: " ").map { String($0).trimmed }
      status.state = .exited
      status.exitCode = fields.first.flatMap { Int32($0) }
      if fields.count > 1, let nanos = Int64(fields[1]) {
        status.finishedAt = Date(timeIntervalSince1970: Double(nanos) / 1e9)
      }
      if status.startedAt == nil {
        status.reason = "StartError"
        status.message = errorText(id)
      } else if cgroups.oomKilled(record.cgroupName) {
        status.reason = "OOMKilled"
        // The kernel's SIGKILL shows as 137; keep it even if the init reported otherwise.
        if status.exitCode == 0 { status.exitCode = 137 }
      } else {
        status.reason = status.exitCode == 0 ? "Completed" : "Error"
      }
      return status
    }
    let shimAlive =
      Int32((try? FileSystem.readString(directory + "/shim.pid"))?.trimmed ?? "")
      .map { ProcessInfoReader.commandLine($0).dropFirst().first == "__shim" } ?? false
    guard shimAlive else {
      // The shim died without recording an exit (killed, or the machine rebooted).
      status.state = .exited
      status.exitCode = 255
      status.reason = "Unknown"
      status.message = "the container's shim is gone and left no exit status"
      return status
    }
    status.pid = Int32((try? FileSystem.readString(directory + "/pid"))?.trimmed ?? "")
    status.state = status.startedAt == nil ? .created : .running
    return status
  }

  /// Every container the runtime knows, running or not.
  public func list() -> [ContainerStatus] {
    FileSystem.list("\(root)/containers").filter { !$0.hasPrefix(".") }.sorted().compactMap { try? status($0) }
  }

  /// Called once at agent start: finds containers whose shims still run (they keep
  /// running through agent restarts and upgrades) and those that exited meanwhile.
  /// Nothing is restarted here; the Kubelet decides from the statuses.
  public func recover() -> (running: [ContainerStatus], exited: [ContainerStatus]) {
    emptyTrash()
    let all = list()
    let running = all.filter { $0.state == .running || $0.state == .created }
    let exited = all.filter { $0.state == .exited }
    logger.info("recovered containers", metadata: ["running": "\(running.count)", "exited": "\(exited.count)"])
    return (running, exited)
  }

  /// CPU, memory and pids from the container's cgroup.
  public func stats(_ id: String) throws -> ContainerStats {
    let record = try loadRecord(id)
    return try cgroups.stats(record.cgroupName, now: Self.nowNanoseconds())
  }

  /// The CRI log file of a container.
  public func logPath(_ id: String) throws -> String { try loadRecord(id).logPath }
}
