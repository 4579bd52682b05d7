import Foundation
import Runtime

/// Copies between the user's terminal (in raw mode) and an exec's pseudo-terminal, and
/// passes window size changes on, until the process exits.
struct TerminalRelay {
  let terminal: Terminal

  func run(until process: ExecProcess) -> Int32 {
    let restore = Terminal.makeRaw(0)
    defer { restore?() }
    copySize()
    let master = terminal.master
    let input = Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        _ = buffer.withUnsafeBytes { write(master, $0.baseAddress, n) }
      }
    }
    input.start()
    let output = Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        _ = buffer.withUnsafeBytes { write(1, $0.baseAddress, n) }
      }
    }
    output.start()
    signal(SIGWINCH, SIG_IGN)
    let resize = DispatchSource.makeSignalSource(signal: SIGWINCH)
    let terminal = self.terminal
    resize.setEventHandler {
      if let size = Terminal.size(of: 1) { terminal.resize(rows: size.rows, columns: size.columns) }
    }
    resize.resume()
    let code = process.waitBlocking()
    // Let the last output drain from the pty before restoring the terminal.
    usleep(50_000)
    resize.cancel()
    return code
  }

  private func copySize() {
    if let size = Terminal.size(of: 1) { terminal.resize(rows: size.rows, columns: size.columns) }
  }
}
