import CRuntime
import Foundation
import Glibc

/// Opens TCP connections for probes and hooks, inside a pod's network namespace when the pod
/// has one. A socket belongs to the namespace it was created in, so the work happens on a
/// dedicated thread that enters the namespace, creates the socket, and returns; the caller's
/// threads never change namespace.
enum Dialer {
  /// Connects, sends `request` (if any) and reads up to `limit` bytes of the answer, all within `timeout`.
  static func exchange(
    host: String, port: Int, networkNamespace: String?, request: [UInt8]?, limit: Int = 10240, timeout: Double
  ) async throws -> [UInt8] {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(
          with: Result {
            try exchangeBlocking(
              host: host, port: port, networkNamespace: networkNamespace, request: request, limit: limit,
              timeout: timeout)
          })
      }
    }
  }

  static func exchangeBlocking(
    host: String, port: Int, networkNamespace: String?, request: [UInt8]?, limit: Int, timeout: Double
  ) throws -> [UInt8] {
    let fd = try socket(networkNamespace: networkNamespace, ipv6: host.contains(":"))
    defer { close(fd) }
    var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1e6))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    try connect(fd, host: host, port: port)
    guard let request else { return [] }
    var sent = 0
    while sent < request.count {
      let written = request[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      guard written > 0 else {
        throw KubeletError(.io, "write to \(host):\(port) failed: \(String(cString: strerror(errno)))")
      }
      sent += written
    }
    var answer: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while answer.count < limit {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count > 0 {
        answer += buffer[0..<count]
      } else if count == 0 {
        break
      } else {
        if answer.isEmpty { throw KubeletError(.io, "read from \(host):\(port) timed out") }
        break
      }
    }
    return answer
  }

  /// A TCP socket created inside `networkNamespace` (nil: the host's). Call it only on a thread
  /// started for the one connection: the thread enters the namespace for the `socket()` call.
  static func socket(networkNamespace: String?, ipv6: Bool) throws -> Int32 {
    let family = ipv6 ? AF_INET6 : AF_INET
    guard let networkNamespace else {
      let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      guard fd >= 0 else { throw KubeletError(.io, "socket: \(String(cString: strerror(errno)))") }
      return fd
    }
    let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
    let target = open(networkNamespace, O_RDONLY | O_CLOEXEC)
    defer {
      if original >= 0 { close(original) }
      if target >= 0 { close(target) }
    }
    guard original >= 0, target >= 0 else {
      throw KubeletError(.notFound, "the pod's network namespace \(networkNamespace) is gone")
    }
    let entered = skiff_setns_net(target)
    guard entered == 0 else {
      throw KubeletError(.io, "cannot enter \(networkNamespace): \(String(cString: strerror(-entered)))")
    }
    let fd = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    let saved = errno
    // The thread is dedicated to this connection and ends with it, even if it cannot go back.
    guard skiff_setns_net(original) == 0 else {
      if fd >= 0 { close(fd) }
      throw KubeletError(.io, "cannot return to the kubelet's network namespace")
    }
    guard fd >= 0 else { throw KubeletError(.io, "socket: \(String(cString: strerror(saved)))") }
    return fd
  }

  static func connect(_ fd: Int32, host: String, port: Int) throws {
    var rc: Int32
    if host.contains(":") {
      var address = sockaddr_in6()
      address.sin6_family = sa_family_t(AF_INET6)
      address.sin6_port = in_port_t(UInt16(port).bigEndian)
      guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
        throw KubeletError(.invalidArgument, "\(host) is not an IP address")
      }
      rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
      }
    } else {
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
        throw KubeletError(.invalidArgument, "\(host) is not an IP address")
      }
      rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
    }
    guard rc == 0 else {
      throw KubeletError(.io, "dial tcp \(host):\(port): connect: \(String(cString: strerror(errno)))")
    }
  }
}
