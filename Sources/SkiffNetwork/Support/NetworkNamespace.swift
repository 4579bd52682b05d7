import CRuntime
import Foundation
import Glibc

/// The result a namespace thread hands back; the semaphore orders the write before the read.
private final class NamespaceOutcome<T>: @unchecked Sendable {
  var result: Result<T, NetworkError> = .failure(NetworkError(.kernel, "no result"))
  let done = DispatchSemaphore(value: 0)
}

/// Work that must happen inside another network namespace, on a thread of its own.
enum NetworkNamespace {
  /// Runs `body` on a new thread that has entered the namespace `fd` (opened from `path`) and
  /// ends with it; the caller blocks until it is done, so call it off the cooperative pool.
  static func run<T>(fd: Int32, path: String, _ body: @escaping () throws(NetworkError) -> T) throws(NetworkError)
    -> T
  {
    let outcome = NamespaceOutcome<T>()
    nonisolated(unsafe) let body = body
    let thread = Thread {
      defer { outcome.done.signal() }
      let entered = skiff_setns_net(fd)
      guard entered == 0 else {
        outcome.result = .failure(
          NetworkError(.kernel, "cannot enter the network namespace \(path): \(NetlinkSocket.errorText(-entered))"))
        return
      }
      // The thread ends right after, still in that namespace; sockets it opened stay bound to it.
      outcome.result = Result { () throws(NetworkError) in try body() }
    }
    thread.start()
    outcome.done.wait()
    return try outcome.result.get()
  }

  /// Like `run(fd:path:_:)`, opening `path` (`/proc/<pid>/ns/net`, `/run/netns/<name>`) first.
  static func run<T>(path: String, _ body: @escaping () throws(NetworkError) -> T) throws(NetworkError) -> T {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw NetworkError(.kernel, "the network namespace \(path) is gone") }
    defer { close(fd) }
    return try run(fd: fd, path: path, body)
  }
}
