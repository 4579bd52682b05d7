import CRuntime
import Foundation
import NIOCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Creates the listening sockets inside a named network namespace: a short-lived thread
/// enters the namespace (setns affects only the calling thread), binds, and exits; the
/// sockets stay in that namespace for the server to adopt.
enum NamespacedSockets {
  static func bind(_ address: SocketAddress, in namespace: String) throws(AddonsError) -> (
    udp: NIOBSDSocket.Handle, tcp: NIOBSDSocket.Handle
  ) {
    let result = Mutex<Result<(Int32, Int32), AddonsError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      result.withLock { $0 = Self.bindInNamespace(address, namespace) }
      done.signal()
    }
    thread.start()
    done.wait()
    switch result.withLock({ $0 }) {
    case .success(let sockets): return (sockets.0, sockets.1)
    case .failure(let error): throw error
    case nil: throw AddonsError(.io, "binding in network namespace \(namespace) did not finish")
    }
  }

  private static func bindInNamespace(_ address: SocketAddress, _ namespace: String) -> Result<
    (Int32, Int32), AddonsError
  > {
    let path = "/run/netns/\(namespace)"
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(AddonsError(.io, "cannot open network namespace \(path): errno \(errno)")) }
    defer { close(fd) }
    guard skiff_setns_net(fd) == 0 else {
      return .failure(AddonsError(.io, "cannot enter network namespace \(namespace): errno \(errno); run as root"))
    }
    var sockets: [Int32] = []
    var failed = false
    for type in [SOCK_DGRAM, SOCK_STREAM] where !failed {
      let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
      let socket = Glibc.socket(family, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      guard socket >= 0 else {
        failed = true
        break
      }
      var one: Int32 = 1
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
      let bound = address.withSockAddr { pointer, length in Glibc.bind(socket, pointer, socklen_t(length)) == 0 }
      sockets.append(socket)
      _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) | O_NONBLOCK)
      failed = !bound || (type == SOCK_STREAM && listen(socket, 128) != 0)
    }
    guard !failed, sockets.count == 2 else {
      let error = errno
      for socket in sockets { close(socket) }
      return .failure(AddonsError(.io, "cannot bind \(address) in network namespace \(namespace): errno \(error)"))
    }
    return .success((sockets[0], sockets[1]))
  }
}
