import Foundation
import NIOCore
import SkiffCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Serves DNS over UDP on its own thread with plain recvfrom/sendto, the way unbound does.
/// Measured on one core, NIO's per-datagram channel machinery (an envelope, a SocketAddress
/// with its text form, a pipeline hop per packet) cost more than the answer itself; this loop
/// touches only the bytes. Forwarded questions still complete on NIO and are sent from there.
final class DNSDatagramLoop: Sendable {
  let queries: DNSQueryHandler
  let eventLoop: any EventLoop
  /// The socket; nil once closed, so a late forwarded answer never writes to a reused descriptor.
  let socket: Mutex<Int32?>
  let running = Atomic<Bool>(true)
  private let finished = DispatchSemaphore(value: 0)
  let localAddress: SocketAddress?

  static let maxDatagram = 4096

  /// Takes over a bound UDP socket (blocking; a receive timeout lets the loop notice `stop`).
  init(socket: Int32, queries: DNSQueryHandler, eventLoop: any EventLoop) {
    var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    _ = fcntl(socket, F_SETFL, fcntl(socket, F_GETFL) & ~O_NONBLOCK)
    self.socket = Mutex(socket)
    self.queries = queries
    self.eventLoop = eventLoop
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let named = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
    }
    localAddress = named ? Self.address(storage) : nil
  }

  /// A UDP socket bound to `address`.
  static func bind(_ address: SocketAddress) throws(AddonsError) -> Int32 {
    let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
    let fd = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw AddonsError(.io, "cannot create a UDP socket: errno \(errno)") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    let bound = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) == 0 }
    guard bound else {
      let error = errno
      close(fd)
      throw AddonsError(.io, "cannot bind UDP \(address): \(String(cString: strerror(error)))")
    }
    return fd
  }

  func start() {
    let thread = Thread(named: "skiff-dns-udp") { [self] in
      serve()
      finished.signal()
    }
    thread.start()
  }

  /// Stops the loop (within the receive timeout) and closes the socket.
  func stop() {
    guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
    finished.wait()
    socket.withLock { fd in
      if let open = fd { close(open) }
      fd = nil
    }
  }

  private func serve() {
    guard let fd = socket.withLock({ $0 }) else { return }
    if MultiMessage.available, let receive = MultiMessage.receive, let send = MultiMessage.send {
      serveBatched(fd: fd, receive: receive, send: send)
      return
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.maxDatagram, alignment: 8)
    defer { buffer.deallocate() }
    var peer = sockaddr_storage()
    while running.load(ordering: .acquiring) {
      var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
      let received = withUnsafeMutablePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          recvfrom(fd, buffer.baseAddress, buffer.count, 0, $0, &length)
        }
      }
      guard received >= 0 else { continue }  // timeout (checks `running`), EINTR, ICMP errors
      let reply = queries.handle(UnsafeRawBufferPointer(rebasing: buffer[..<received]), udp: true, on: eventLoop)
      switch reply {
      case .now(let bytes): send(bytes, to: peer, length: length, fd: fd)
      case .later(let future):
        let target = peer
        let targetLength = length
        future.whenSuccess { [self] bytes in
          socket.withLock { fd in
            if let fd { send(bytes, to: target, length: targetLength, fd: fd) }
          }
        }
      case .drop: break
      }
    }
  }

  func send(_ bytes: [UInt8], to peer: sockaddr_storage, length: socklen_t, fd: Int32) {
    var peer = peer
    _ = bytes.withUnsafeBytes { payload in
      withUnsafePointer(to: &peer) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          sendto(fd, payload.baseAddress, payload.count, 0, $0, length)
        }
      }
    }
  }

  private static func address(_ storage: sockaddr_storage) -> SocketAddress? {
    var storage = storage
    switch Int32(storage.ss_family) {
    case AF_INET:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
      }
    case AF_INET6:
      return withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
      }
    default: return nil
    }
  }
}
