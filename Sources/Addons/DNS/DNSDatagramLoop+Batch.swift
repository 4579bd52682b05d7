#if canImport(Glibc)
  import Glibc
#endif

/// recvmmsg/sendmmsg, looked up at run time (the Glibc module leaves them out of Swift's view):
/// one system call moves up to `batch` datagrams each way, which on a VM's expensive syscalls
/// is most of the cost of a cached answer.
enum MultiMessage {
  /// struct mmsghdr: a msghdr and the byte count the kernel fills in.
  struct Header {
    var header = msghdr()
    var length: UInt32 = 0
  }

  typealias Receive = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32, UnsafeMutableRawPointer?) -> Int32
  typealias Send = @convention(c) (Int32, UnsafeMutableRawPointer?, UInt32, Int32) -> Int32

  static let receive: Receive? = symbol("recvmmsg").map { unsafeBitCast($0, to: Receive.self) }
  static let send: Send? = symbol("sendmmsg").map { unsafeBitCast($0, to: Send.self) }
  /// True when the C layout matches (64 bytes on LP64 Linux) and libc has both calls.
  static let available = MemoryLayout<Header>.stride == 64 && receive != nil && send != nil

  private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
    dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
  }
}

extension DNSDatagramLoop {
  static let batch = 32
  /// Largest UDP answer (the handler caps them at 1232 bytes); bigger ones go out alone.
  static let slot = 1280

  /// Reads up to `batch` queries per call, answers them, sends the answers in one call.
  func serveBatched(fd: Int32, receive: MultiMessage.Receive, send: MultiMessage.Send) {
    let count = Self.batch
    let input = UnsafeMutableRawPointer.allocate(byteCount: count * Self.maxDatagram, alignment: 16)
    let output = UnsafeMutableRawPointer.allocate(byteCount: count * Self.slot, alignment: 16)
    let names = UnsafeMutablePointer<sockaddr_storage>.allocate(capacity: count)
    let inVectors = UnsafeMutablePointer<iovec>.allocate(capacity: count)
    let outVectors = UnsafeMutablePointer<iovec>.allocate(capacity: count)
    let inHeaders = UnsafeMutablePointer<MultiMessage.Header>.allocate(capacity: count)
    let outHeaders = UnsafeMutablePointer<MultiMessage.Header>.allocate(capacity: count)
    defer {
      input.deallocate()
      output.deallocate()
      names.deallocate()
      inVectors.deallocate()
      outVectors.deallocate()
      inHeaders.deallocate()
      outHeaders.deallocate()
    }
    names.initialize(repeating: sockaddr_storage(), count: count)
    outHeaders.initialize(repeating: MultiMessage.Header(), count: count)
    for index in 0..<count {
      inVectors[index] = iovec(iov_base: input + index * Self.maxDatagram, iov_len: Self.maxDatagram)
      outVectors[index] = iovec(iov_base: output + index * Self.slot, iov_len: 0)
    }
    while running.load(ordering: .acquiring) {
      for index in 0..<count {
        inHeaders[index] = MultiMessage.Header(
          header: msghdr(
            msg_name: UnsafeMutableRawPointer(names + index),
            msg_namelen: socklen_t(MemoryLayout<sockaddr_storage>.size), msg_iov: inVectors + index, msg_iovlen: 1,
            msg_control: nil, msg_controllen: 0, msg_flags: 0), length: 0)
      }
      let received = receive(fd, inHeaders, UInt32(count), Int32(MSG_WAITFORONE), nil)
      guard received > 0 else { continue }  // timeout (checks `running`), EINTR
      var pending = 0
      for index in 0..<Int(received) {
        let query = UnsafeRawBufferPointer(start: input + index * Self.maxDatagram, count: Int(inHeaders[index].length))
        let nameLength = inHeaders[index].header.msg_namelen
        switch queries.handle(query, udp: true, on: eventLoop) {
        case .now(let bytes) where bytes.count <= Self.slot:
          bytes.withUnsafeBytes {
            output.advanced(by: pending * Self.slot).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
          }
          outVectors[pending].iov_len = bytes.count
          outHeaders[pending] = MultiMessage.Header(
            header: msghdr(
              msg_name: UnsafeMutableRawPointer(names + index), msg_namelen: nameLength, msg_iov: outVectors + pending,
              msg_iovlen: 1, msg_control: nil, msg_controllen: 0, msg_flags: 0), length: 0)
          pending += 1
        case .now(let bytes):
          self.send(bytes, to: names[index], length: nameLength, fd: fd)
        case .later(let future):
          let target = names[index]
          future.whenSuccess { [self] bytes in
            socket.withLock { fd in
              if let fd { self.send(bytes, to: target, length: nameLength, fd: fd) }
            }
          }
        case .drop:
          break
        }
      }
      var sent = 0
      while sent < pending {
        let result = send(fd, outHeaders + sent, UInt32(pending - sent), 0)
        if result <= 0 { break }  // a failed datagram is dropped, as UDP allows
        sent += Int(result)
      }
    }
  }
}
