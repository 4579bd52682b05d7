import Foundation
import Glibc
import Runtime
import Synchronization

/// `kubectl attach`: connects to the container's shim, which sends live output framed per
/// stream (1 byte stream, 3 zero bytes, u32 length) and takes raw input; resizes go to the
/// shim's resize FIFO. Ends when the container exits (the shim closes the socket).
final class AttachSession: StreamSession {
  private let runtime: ContainerRuntime
  private let containerID: String
  private let options: StreamOptions
  private let input = Mutex<FileDescriptorWriter?>(nil)

  init(runtime: ContainerRuntime, containerID: String, options: StreamOptions) {
    self.runtime = runtime
    self.containerID = containerID
    self.options = options
  }

  func start(_ connection: WebSocketConnection) {
    let fd: Int32
    do {
      fd = try runtime.attach(containerID)
    } catch {
      connection.send(
        RemoteCommandProtocol.frame(
          RemoteCommandProtocol.error,
          RemoteCommandProtocol.failureStatus("cannot attach to container \(containerID): \(error)")))
      connection.close()
      return
    }
    if options.stdin {
      input.withLock { $0 = FileDescriptorWriter(fd: dup(fd), name: "attach-stdin") }
    }
    let options = self.options
    let decoderBox = LockedBox(ShimFrameDecoder())
    FileDescriptorPump.startReading(
      fd, name: "attach-out",
      sink: { bytes in
        let frames = decoderBox.withLock { $0.feed(bytes) }
        for (stream, data) in frames {
          let channel = options.tty || stream == 1 ? RemoteCommandProtocol.stdout : RemoteCommandProtocol.stderr
          if (channel == RemoteCommandProtocol.stdout && options.stdout)
            || (channel == RemoteCommandProtocol.stderr && options.stderr)
          {
            _ = try? connection.sendBlocking(RemoteCommandProtocol.frame(channel, data))
          }
        }
        return true
      },
      done: { [self] in
        input.withLock { writer in
          writer?.finish()
          writer = nil
        }
        _ = try? connection.sendBlocking(
          RemoteCommandProtocol.frame(RemoteCommandProtocol.error, RemoteCommandProtocol.exitStatus(0)))
        connection.close()
      })
  }

  func receive(_ message: [UInt8]) {
    switch RemoteCommandProtocol.decode(message) {
    case .stdin(let bytes): input.withLock { $0 }?.write(bytes)
    case .resize(let columns, let rows): try? runtime.resizeTerminal(containerID, rows: rows, columns: columns)
    case .closeStdin, .ignored: break
    }
  }

  func clientClosed() {
    input.withLock { writer in
      writer?.finish()
      writer = nil
    }
  }
}

/// Splits the shim's attach stream into (stream, data) frames.
struct ShimFrameDecoder: Sendable {
  private var buffer: [UInt8] = []

  mutating func feed(_ bytes: [UInt8]) -> [(UInt8, [UInt8])] {
    buffer += bytes
    var frames: [(UInt8, [UInt8])] = []
    var offset = 0
    while buffer.count - offset >= 8 {
      let length =
        Int(buffer[offset + 4]) << 24 | Int(buffer[offset + 5]) << 16 | Int(buffer[offset + 6]) << 8
        | Int(buffer[offset + 7])
      guard buffer.count - offset - 8 >= length else { break }
      frames.append((buffer[offset], Array(buffer[(offset + 8)..<(offset + 8 + length)])))
      offset += 8 + length
    }
    buffer.removeFirst(offset)
    return frames
  }
}
