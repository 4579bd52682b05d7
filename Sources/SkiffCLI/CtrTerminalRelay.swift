import Foundation
import Runtime

/// Copies between the user's terminal (in raw mode) and an exec's pseudo-terminal, and
/// passes window size changes on, until the process exits.
struct TerminalRelay {
  let terminal: Terminal

  func run(until process: ExecProcess) -> Int32 {
    var saved = termios()
    let interactive = isatty(0) == 1
    if interactive {
      tcgetattr(0, &saved)
      var raw = saved
      cfmakeraw(&raw)
      tcsetattr(0, TCSANOW, &raw)
    }
    defer { if interactive { tcsetattr(0, TCSANOW, &saved) } }
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
    let resize = DispatchSource.makeSignalSource(signal: SIGWINCH)
    signal(SIGWINCH, SIG_IGN)
    resize.setEventHandler { copySize() }
    resize.resume()
    let code = process.waitBlocking()
    // Let the last output drain from the pty before restoring the terminal.
    usleep(50_000)
    resize.cancel()
    return code
  }

  private func copySize() {
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0 { terminal.resize(rows: size.ws_row, columns: size.ws_col) }
  }
}
