import ArgumentParser
import Foundation
import Yams

/// Turns K3s-style configuration into command-line arguments: `config.yaml` and its
/// `config.yaml.d/*.yaml` drop-ins (keys are flag names), then `SKIFF_<FLAG>` variables, then the
/// command line. Later arguments win, so the command line beats the environment, which beats
/// the files.
struct ConfigLoader {
  static let defaultPath = "/etc/skiff/config.yaml"
  let environment: [String: String]

  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// The subcommand's full argument list. `arguments` excludes the program name.
  func arguments(for arguments: [String]) throws -> [String] {
    guard let subcommand = arguments.first, let command = Self.commands[subcommand] else { return arguments }
    let given = Array(arguments.dropFirst())
    var files: [String] = []
    if let path = Self.value(of: "--config", in: given) ?? environment["SKIFF_CONFIG_FILE"] {
      guard FileManager.default.fileExists(atPath: path) else {
        throw Failure(description: "config file \(path) does not exist")
      }
      files.append(path)
    } else if FileManager.default.fileExists(atPath: Self.defaultPath) {
      files.append(Self.defaultPath)
    }
    if let main = files.first { files += Self.dropIns(for: main) }
    var merged: [String] = []
    for file in files { merged += try fileArguments(file, command: command) }
    merged += environmentArguments(command: command)
    return [subcommand] + merged + given
  }

  /// Commands that read configuration, by name.
  static let commands: [String: any ParsableCommand.Type] = ["server": ServerCommand.self, "agent": AgentCommand.self]

  private static func dropIns(for path: String) -> [String] {
    let directory = path + ".d"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "\(directory)/\($0)" }
  }

  private func fileArguments(_ path: String, command: any ParsableCommand.Type) throws -> [String] {
    // FileHandle rather than String(contentsOfFile:), which refuses special files like /dev/null.
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw Failure(description: "cannot read config file \(path): permission denied or not a file")
    }
    defer { try? handle.close() }
    let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    let node: Node?
    do { node = try Yams.compose(yaml: text) } catch {
      throw Failure(description: "config file \(path) is not valid YAML: \(error)")
    }
    guard let node else { return [] }
    guard let mapping = node.mapping else {
      throw Failure(description: "config file \(path) must be a mapping of flag names to values")
    }
    var arguments: [String] = []
    for (keyNode, value) in mapping {
      guard let key = keyNode.string else { throw Failure(description: "config file \(path): keys must be flag names") }
      let values: [Node] = value.sequence.map(Array.init) ?? [value]
      for item in values {
        let flag = try Self.flagArguments(key: key, value: item.string ?? "", command: command)
        guard let flag else { throw Failure(description: "unknown key \"\(key)\" in config file \(path)") }
        arguments += flag
      }
    }
    return arguments
  }

  private func environmentArguments(command: any ParsableCommand.Type) -> [String] {
    var arguments: [String] = []
    for (name, value) in environment.sorted(by: { $0.key < $1.key })
    where name.hasPrefix("SKIFF_") && name != "SKIFF_CONFIG_FILE" {
      let key = name.dropFirst("SKIFF_".count).lowercased().replacingOccurrences(of: "_", with: "-")
      // Variables that name no flag of this command belong to something else (tests, tools).
      if let flag = try? Self.flagArguments(key: key, value: value, command: command) { arguments += flag }
    }
    return arguments
  }

  /// The arguments for one setting, or nil when the command has no such flag. Booleans are
  /// flags: true adds it, false leaves it out.
  private static func flagArguments(key: String, value: String, command: any ParsableCommand.Type) throws -> [String]? {
    let flag = "--\(key)"
    if key == "config" { return nil }
    if ["true", "false"].contains(value.lowercased()), accepts(command, [flag]) {
      return value.lowercased() == "true" ? [flag] : []
    }
    if accepts(command, [flag, value]) { return [flag, value] }
    if accepts(command, [flag]) || knows(command, flag) {
      throw Failure(description: "invalid value \"\(value)\" for \(key)")
    }
    return nil
  }

  /// Whether the command parses these arguments alone.
  private static func accepts(_ command: any ParsableCommand.Type, _ arguments: [String]) -> Bool {
    (try? command.parseAsRoot(arguments)) != nil
  }

  /// Whether the command has the option at all (parsing may still fail on its value).
  private static func knows(_ command: any ParsableCommand.Type, _ flag: String) -> Bool {
    do {
      _ = try command.parseAsRoot([flag])
      return true
    } catch {
      return !command.message(for: error).contains("Unknown option")
    }
  }

  private static func value(of option: String, in arguments: [String]) -> String? {
    for (index, argument) in arguments.enumerated() {
      if argument == option, index + 1 < arguments.count { return arguments[index + 1] }
      if argument.hasPrefix(option + "=") { return String(argument.dropFirst(option.count + 1)) }
    }
    return nil
  }
}
