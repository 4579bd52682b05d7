import Foundation
import ServiceLifecycle

#if canImport(Glibc)
  import Glibc
#endif

/// sd_notify without libsystemd: one datagram to `$NOTIFY_SOCKET`, so that a `Type=notify`
/// unit is started only once skiff serves, and systemd knows when it is stopping.
struct SystemdNotifier: Sendable {
  /// The socket systemd listens on: a path, or an abstract name written with a leading `@`.
  let socketPath: String?

  init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Sends `state` (newline-separated `KEY=VALUE` lines); false when there is no socket or the send failed.
  @discardableResult
  func notify(_ state: String) -> Bool {
    guard let socketPath, socketPath.utf8.count < 108 else { return false }
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var name = Array(socketPath.utf8)
    if name.first == UInt8(ascii: "@") { name[0] = 0 }  // abstract namespace: no trailing NUL either
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (index, byte) in name.enumerated() { buffer[index] = byte }
    }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + name.count + (name.first == 0 ? 0 : 1))
    let bytes = Array(state.utf8)
    let sent = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
      }
    }
    return sent == bytes.count
  }
}

/// Tells systemd `READY=1` once `ready` returns and `STOPPING=1` when graceful shutdown
/// begins. Listed last in its `ServiceGroup`, so it is the first to hear of the shutdown.
struct SystemdNotifyService: Service {
  let notifier: SystemdNotifier
  let status: String
  let ready: @Sendable () async -> Void

  func run() async throws {
    await cancelWhenGracefulShutdown { await ready() }
    if !Task.isCancelled && !Task.isShuttingDownGracefully {
      notifier.notify("READY=1\nSTATUS=\(status)")
      try? await gracefulShutdown()
    }
    notifier.notify("STOPPING=1")
  }
}
