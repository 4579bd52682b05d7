import ArgumentParser
import Foundation
import Runtime

/// `skiff ctr ps`.
struct CtrPsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers.")
  @OptionGroup var options: CtrOptions
  @Flag(name: .shortAndLong, help: "Print IDs only.") var quiet = false

  func run() throws {
    try ctrRun {
      let runtime = try options.runtime()
      let statuses = runtime.list()
      if quiet {
        for status in statuses { print(status.id) }
        return
      }
      var rows = [["CONTAINER", "IMAGE", "STATE", "PID", "EXIT", "CREATED"]]
      let formatter = ISO8601DateFormatter()
      for status in statuses {
        let exit = status.exitCode.map { "\($0)" + (status.reason.map { " (\($0))" } ?? "") } ?? ""
        rows.append([
          status.id, status.image, status.state.rawValue, status.pid.map { "\($0)" } ?? "", exit,
          formatter.string(from: status.createdAt),
        ])
      }
      printTable(rows)
    }
  }
}

/// `skiff ctr logs`: the container's output from its CRI log.
struct CtrLogsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a container's logs.")
  @OptionGroup var options: CtrOptions
  @Flag(name: .shortAndLong, help: "Prefix each line with its timestamp.") var timestamps = false
  @Flag(name: .shortAndLong, help: "Keep printing new output until the container exits.") var follow = false
  @Argument(help: "Container ID.") var id: String

  func run() throws {
    try ctrRun {
      let runtime = try options.runtime()
      let path = try runtime.logPath(id)
      guard let handle = FileHandle(forReadingAtPath: path) else {
        throw RuntimeError(.notFound, "container \"\(id)\" has no log yet")
      }
      var pending = Data()
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty {
          guard follow, (try? runtime.status(id).state) == .running else { break }
          usleep(200_000)
          continue
        }
        pending += chunk
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
          let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
          pending = Data(pending[(newline + 1)...])
          if let entry = CRILogLine(line) { emit(entry) }
        }
      }
    }
  }

  private func emit(_ entry: CRILogLine) {
    let text = (timestamps ? entry.timestamp + " " : "") + entry.message + (entry.partial ? "" : "\n")
    let stream = entry.stream == "stderr" ? FileHandle.standardError : FileHandle.standardOutput
    stream.write(Data(text.utf8))
  }
}

/// One line of a CRI log: `<time> <stream> <F|P> <message>`.
struct CRILogLine {
  var timestamp: String
  var stream: String
  var partial: Bool
  var message: String

  init?(_ line: String) {
    let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return nil }
    timestamp = String(parts[0])
    stream = String(parts[1])
    partial = parts[2] == "P"
    message = parts.count > 3 ? String(parts[3]) : ""
  }
}

/// `skiff ctr exec`.
struct CtrExecCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "exec", abstract: "Run a command in a container.")
  @OptionGroup var options: CtrOptions
  @Flag(name: .shortAndLong, help: "Allocate a terminal.") var tty = false
  @Option(help: "UID[:GID] or NAME[:GROUP].") var user: String?
  @Option(name: .customLong("env"), help: "Environment variable KEY=VALUE (repeatable).") var env: [String] = []
  @Argument(help: "Container ID.") var id: String
  @Argument(parsing: .captureForPassthrough, help: "Command and arguments.") var command: [String]

  func run() throws {
    let code: Int32 = try ctrRun {
      let runtime = try options.runtime()
      var spec = ExecSpec(command: command, tty: tty)
      spec.env = env
      if let user {
        let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
        spec.user = ContainerSpec.UserSpec(user: parts[0], group: parts.count > 1 ? parts[1] : nil)
      }
      guard tty else {
        return try runtime.exec(id, spec, stdin: 0, stdout: 1, stderr: 2).waitBlocking()
      }
      let terminal = try Terminal.open()
      let process = try runtime.exec(id, spec, stdin: terminal.slave, stdout: terminal.slave, stderr: terminal.slave)
      close(terminal.slave)
      return TerminalRelay(terminal: terminal).run(until: process)
    }
    throw ExitCode(code)
  }
}

/// `skiff ctr kill`.
struct CtrKillCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "kill", abstract: "Signal a container.")
  @OptionGroup var options: CtrOptions
  @Option(name: .shortAndLong, help: "Signal name or number.") var signal = "SIGTERM"
  @Argument(help: "Container IDs.") var ids: [String]

  func run() throws {
    guard let number = signalNumber(signal) else { throw ValidationError("unknown signal \(signal)") }
    try ctrRun {
      let runtime = try options.runtime()
      for id in ids { try runtime.kill(id, signal: number) }
    }
  }
}

/// `skiff ctr rm`.
struct CtrRmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove containers.")
  @OptionGroup var options: CtrOptions
  @Flag(name: .shortAndLong, help: "Kill running containers first.") var force = false
  @Argument(help: "Container IDs.") var ids: [String]

  func run() throws {
    try ctrRun {
      let runtime = try options.runtime()
      for id in ids {
        try runtime.remove(id, force: force)
        print(id)
      }
    }
  }
}

func signalNumber(_ text: String) -> Int32? {
  if let value = Int32(text) { return value }
  let names: [String: Int32] = [
    "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "KILL": SIGKILL, "USR1": SIGUSR1, "USR2": SIGUSR2,
    "TERM": SIGTERM, "STOP": SIGSTOP, "CONT": SIGCONT, "WINCH": SIGWINCH,
  ]
  var name = text.uppercased()
  if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
  return names[name]
}
