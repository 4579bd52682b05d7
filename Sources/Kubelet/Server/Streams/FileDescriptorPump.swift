import Dispatch
import Foundation
import Glibc

/// Blocking copies between file descriptors and a session, on threads of their own: reads from
/// pipes, ptys and sockets block, and neither event loops nor Swift's cooperative threads may.
enum FileDescriptorPump {
  /// Reads `fd` until EOF (or EIO, which a pty master returns once the last slave closed) and
  /// hands each chunk to `sink`, which may block; stops early when `sink` returns false.
  /// Closes `fd` and calls `done` at the end.
  static func startReading(
    _ fd: Int32, name: String, sink: @escaping @Sendable ([UInt8]) -> Bool, done: @escaping @Sendable () -> Void
  ) {
    let thread = Thread {
      var buffer = [UInt8](repeating: 0, count: 32 * 1024)
      while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        if !sink(Array(buffer[0..<n])) { break }
      }
      Glibc.close(fd)
      done()
    }
    thread.name = name
    thread.start()
  }

  /// Writes every byte, retrying short writes; false when the descriptor is gone.
  @discardableResult
  static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      offset += n
    }
    return true
  }
}

/// Input for one descriptor, written in order on a serial queue so the event loop never blocks.
final class FileDescriptorWriter: @unchecked Sendable {
  private let queue: DispatchQueue
  private var fd: Int32
  private let closeAfter: Bool

  /// `closeAfter`: the writer owns `fd` and closes it on `finish`.
  init(fd: Int32, name: String, closeAfter: Bool = true) {
    self.fd = fd
    self.closeAfter = closeAfter
    queue = DispatchQueue(label: name)
  }

  func write(_ bytes: [UInt8]) {
    queue.async {
      guard self.fd >= 0 else { return }
      if !FileDescriptorPump.writeAll(self.fd, bytes) { self.closeNow() }
    }
  }

  /// Closes after everything queued was written (stdin's EOF).
  func finish() { queue.async { self.closeNow() } }

  /// Half-closes a socket after everything queued was written.
  func shutdownWrite() { queue.async { if self.fd >= 0 { shutdown(self.fd, Int32(SHUT_WR)) } } }

  /// Shuts the socket down both ways at once, which ends a reader blocked on it.
  func shutdownNow() {
    queue.sync { if self.fd >= 0 { _ = shutdown(self.fd, Int32(SHUT_RDWR)) } }
  }

  private func closeNow() {
    if fd >= 0 && closeAfter { Glibc.close(fd) }
    fd = -1
  }
}

/// A group of reader threads one can wait for, with a deadline for output held open by a
/// process that outlives the command (a daemon that inherited the pipe).
final class ReaderGroup: @unchecked Sendable {
  private let group = DispatchGroup()

  func enter() { group.enter() }
  func leave() { group.leave() }

  @discardableResult
  func wait(seconds: Double) -> Bool { group.wait(timeout: .now() + seconds) == .success }
}
