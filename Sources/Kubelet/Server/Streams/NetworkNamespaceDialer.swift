import Foundation
import Glibc

/// setns(2): Glibc's module map hides it behind _GNU_SOURCE.
@_silgen_name("setns") private func setns(_ fd: Int32, _ nstype: Int32) -> Int32
private let CLONE_NEWNET: Int32 = 0x4000_0000

/// Connects to 127.0.0.1:port inside a pod's network namespace.
///
/// A socket belongs to the namespace it was created in, so only `socket()` has to happen inside:
/// the calling thread (always one of our own dedicated threads, never a pool thread) enters the
/// pod's namespace with setns, creates the socket, and goes back to the namespace it came from
/// before connecting. If going back fails, the thread is marked as tainted and the caller must
/// not reuse it; every caller runs on a thread started for this one connection.
enum NetworkNamespaceDialer {
  static func connect(namespacePath: String, port: UInt16) throws -> Int32 {
    let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
    guard original >= 0 else { throw failure("cannot open this thread's network namespace") }
    defer { close(original) }
    let target = open(namespacePath, O_RDONLY | O_CLOEXEC)
    guard target >= 0 else { throw failure("cannot open the pod's network namespace \(namespacePath)") }
    defer { close(target) }
    guard setns(target, CLONE_NEWNET) == 0 else { throw failure("cannot enter the pod's network namespace") }
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    let socketErrno = errno
    guard setns(original, CLONE_NEWNET) == 0 else {
      if fd >= 0 { close(fd) }
      throw failure("cannot return to the kubelet's network namespace")
    }
    guard fd >= 0 else {
      errno = socketErrno
      throw failure("cannot create a socket in the pod's network namespace")
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else {
      let saved = errno
      close(fd)
      errno = saved
      throw failure("dial tcp4 127.0.0.1:\(port): connect")
    }
    return fd
  }

  private static func failure(_ what: String) -> KubeletError {
    KubeletError(.io, "\(what): \(String(cString: strerror(errno)))")
  }
}

/// One forwarded TCP connection: a thread dials and then copies pod → client; client bytes go
/// through a writer queue. `onData` may block (it waits for the transport).
final class ForwardedConnection: @unchecked Sendable {
  private let lock = NSLock()
  private var writer: FileDescriptorWriter?
  private var pendingInput: [[UInt8]] = []
  private var inputEnded = false

  /// Starts dialing; `onConnected(nil)` or `onConnected(error)` reports the outcome, then pod
  /// output goes to `onData` until EOF, then `onEnd` runs.
  func start(
    namespacePath: String, port: UInt16, onConnected: @escaping @Sendable (KubeletError?) -> Void,
    onData: @escaping @Sendable ([UInt8]) -> Bool, onEnd: @escaping @Sendable () -> Void
  ) {
    let thread = Thread { [self] in
      let fd: Int32
      do {
        fd = try NetworkNamespaceDialer.connect(namespacePath: namespacePath, port: port)
      } catch let error as KubeletError {
        onConnected(error)
        onEnd()
        return
      } catch {
        onConnected(KubeletError(.io, "\(error)"))
        onEnd()
        return
      }
      let writer = FileDescriptorWriter(fd: dup(fd), name: "forward-in")
      lock.lock()
      self.writer = writer
      for chunk in pendingInput { writer.write(chunk) }
      pendingInput = []
      if inputEnded { writer.shutdownWrite() }
      lock.unlock()
      onConnected(nil)
      var buffer = [UInt8](repeating: 0, count: 32 * 1024)
      while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        if !onData(Array(buffer[0..<n])) { break }
      }
      close(fd)
      writer.finish()
      onEnd()
    }
    thread.name = "port-forward"
    thread.start()
  }

  func write(_ bytes: [UInt8]) {
    lock.lock()
    defer { lock.unlock() }
    if let writer { writer.write(bytes) } else { pendingInput.append(bytes) }
  }

  /// The client finished sending: half-close towards the pod.
  func endInput() {
    lock.lock()
    defer { lock.unlock() }
    inputEnded = true
    writer?.shutdownWrite()
  }

  /// The client is gone: stop both directions.
  func abort() {
    lock.lock()
    inputEnded = true
    let writer = self.writer
    lock.unlock()
    writer?.shutdownNow()
  }
}
