import Foundation
import Glibc
import SkiffCore

/// Connects to 127.0.0.1:port inside a pod's network namespace, on the calling thread (always
/// one started for this one connection, never a pool thread): see `Dialer.socket`.
enum NetworkNamespaceDialer {
  static func connect(namespacePath: String, port: UInt16) throws -> Int32 {
    let fd = try Dialer.socket(networkNamespace: namespacePath, ipv6: false)
    do {
      try Dialer.connect(fd, host: "127.0.0.1", port: Int(port))
    } catch {
      close(fd)
      throw error
    }
    return fd
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
    let thread = Thread(named: "port-forward") { [self] in
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
