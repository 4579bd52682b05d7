import CRuntime
import Foundation
import Glibc
import Runtime
import SkiffCore
import Synchronization

/// What a client asked for in `/exec` and `/attach`.
struct StreamOptions: Sendable, Equatable {
  var stdin = false
  var stdout = true
  var stderr = true
  var tty = false

  /// Reads both the kubelet's parameter names (`input`, `output`, `error`) and the API's
  /// (`stdin`, `stdout`, `stderr`); `1` and `true` both count.
  init(query: [String: [String]]) {
    func flag(_ names: String...) -> Bool? {
      for name in names {
        if let value = query[name]?.first { return ["1", "t", "T", "true", "TRUE", "True"].contains(value) }
      }
      return nil
    }
    stdin = flag("stdin", "input") ?? false
    stdout = flag("stdout", "output") ?? false
    stderr = flag("stderr", "error") ?? false
    tty = flag("tty") ?? false
    // A terminal merges stderr into stdout, as upstream's runtimes do.
    if tty { stderr = false }
  }

  init() {}
}

/// `kubectl exec`: runs the command in the container with pipes (or a pty with `tty`), copies
/// its output to the client's channels and stdin from them, and ends with the exit Status.
final class ExecSession: StreamSession {
  private let runtime: ContainerRuntime
  private let containerID: String
  private let command: [String]
  private let options: StreamOptions
  private let state = Mutex<State>(State())

  private struct State {
    var stdin: FileDescriptorWriter?
    var terminal: Terminal?
    var process: ExecProcess?
    var finished = false
  }

  init(runtime: ContainerRuntime, containerID: String, command: [String], options: StreamOptions) {
    self.runtime = runtime
    self.containerID = containerID
    self.command = command
    self.options = options
  }

  func start(_ connection: WebSocketConnection) {
    let readers = ReaderGroup()
    let process: ExecProcess
    do {
      process = try launch(connection, readers: readers)
    } catch {
      connection.send(
        RemoteCommandProtocol.frame(
          RemoteCommandProtocol.error,
          RemoteCommandProtocol.failureStatus(
            "cannot exec in container \(containerID): \(error)")))
      connection.close()
      return
    }
    let command = self.command
    let thread = Thread(named: "exec-wait") { [self] in
      let code = process.waitBlocking()
      // Output still in the pipes (or the pty) is sent before the status.
      readers.wait(seconds: 5)
      state.withLock { $0.finished = true }
      try? connection.sendBlocking(
        RemoteCommandProtocol.frame(
          RemoteCommandProtocol.error, RemoteCommandProtocol.exitStatus(code, command: command)))
      connection.close()
      self.state.withLock { state in
        state.stdin?.finish()
        state.stdin = nil
        if let terminal = state.terminal { close(terminal.master) }
        state.terminal = nil
      }
    }
    thread.start()
  }

  private func launch(_ connection: WebSocketConnection, readers: ReaderGroup) throws -> ExecProcess {
    let spec = ExecSpec(command: command, tty: options.tty)
    if options.tty {
      let terminal = try Terminal.open()
      let process: ExecProcess
      do {
        process = try runtime.exec(
          containerID, spec, stdin: terminal.slave, stdout: terminal.slave, stderr: terminal.slave)
      } catch {
        close(terminal.slave)
        close(terminal.master)
        throw error
      }
      close(terminal.slave)
      // The master is read by one thread and written by the stdin queue: two descriptors.
      let readFD = dup(terminal.master)
      state.withLock {
        $0.terminal = terminal
        $0.process = process
        if options.stdin { $0.stdin = FileDescriptorWriter(fd: terminal.master, name: "exec-stdin", closeAfter: false) }
      }
      readers.enter()
      FileDescriptorPump.startReading(
        readFD, name: "exec-tty", sink: { Self.forward($0, to: RemoteCommandProtocol.stdout, connection) },
        done: { readers.leave() })
      return process
    }
    var childEnds: [Int32] = [-1, -1, -1]
    var parentEnds: [Int32] = [-1, -1, -1]
    defer { for fd in childEnds where fd >= 0 { close(fd) } }
    for (index, wanted) in [options.stdin, options.stdout, options.stderr].enumerated() where wanted {
      var fds: [Int32] = [-1, -1]
      guard skiff_pipe(&fds) == 0 else {
        for fd in parentEnds where fd >= 0 { close(fd) }
        throw KubeletError(.io, "cannot create a pipe: \(String(cString: strerror(errno)))")
      }
      // stdin: the child reads fds[0]; output: the child writes fds[1].
      childEnds[index] = index == 0 ? fds[0] : fds[1]
      parentEnds[index] = index == 0 ? fds[1] : fds[0]
    }
    let process: ExecProcess
    do {
      process = try runtime.exec(containerID, spec, stdin: childEnds[0], stdout: childEnds[1], stderr: childEnds[2])
    } catch {
      for fd in parentEnds where fd >= 0 { close(fd) }
      throw error
    }
    state.withLock {
      $0.process = process
      if parentEnds[0] >= 0 { $0.stdin = FileDescriptorWriter(fd: parentEnds[0], name: "exec-stdin") }
    }
    for (index, channel) in [(1, RemoteCommandProtocol.stdout), (2, RemoteCommandProtocol.stderr)]
    where parentEnds[index] >= 0 {
      readers.enter()
      FileDescriptorPump.startReading(
        parentEnds[index], name: "exec-out", sink: { Self.forward($0, to: channel, connection) },
        done: { readers.leave() })
    }
    return process
  }

  /// Sends output; once the client is gone the rest is drained and dropped so the process
  /// never blocks on a full pipe.
  static func forward(_ bytes: [UInt8], to channel: UInt8, _ connection: WebSocketConnection) -> Bool {
    _ = try? connection.sendBlocking(RemoteCommandProtocol.frame(channel, bytes))
    return true
  }

  func receive(_ message: [UInt8]) {
    switch RemoteCommandProtocol.decode(message) {
    case .stdin(let bytes): state.withLock { $0.stdin }?.write(bytes)
    case .resize(let columns, let rows): state.withLock { $0.terminal }?.resize(rows: rows, columns: columns)
    case .closeStdin:
      // A terminal has no EOF of its own: the user's ^D travels as a byte instead.
      guard !options.tty else { return }
      state.withLock { state in
        state.stdin?.finish()
        state.stdin = nil
      }
    case .ignored: break
    }
  }

  /// The client left: stdin ends, and a terminal session hangs up as a closed terminal would.
  func clientClosed() {
    let (process, finished) = state.withLock { state -> (ExecProcess?, Bool) in
      if !options.tty {
        state.stdin?.finish()
        state.stdin = nil
      }
      return (state.process, state.finished)
    }
    if options.tty, !finished, let process { process.signal(SIGHUP) }
  }
}
