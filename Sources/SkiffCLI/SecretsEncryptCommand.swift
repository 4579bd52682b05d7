import APIServer
import ArgumentParser
import Foundation
import KubeAPI

/// `skiff secrets-encrypt status|rotate-keys`: Secrets are encrypted at rest by default; these
/// show which key seals how many of them, and replace the key (re-encrypting every Secret).
struct SecretsEncryptCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "secrets-encrypt", abstract: "Show or rotate the key Secrets are encrypted with at rest.",
    subcommands: [Status.self, RotateKeys.self])

  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the encryption keys and what each one seals.")

    @OptionGroup var connection: AdminConnection

    @Option(help: "Output format: text or json.")
    var output = "text"

    func run() async throws {
      try await SecretsEncryptCommand.call("GET", SecretsEncryption.statusPath, connection, output: output)
    }
  }

  struct RotateKeys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate-keys",
      abstract: "Add a new key, re-encrypt every Secret with it, then retire the old key (all servers follow).")

    @OptionGroup var connection: AdminConnection

    @Option(help: "Output format: text or json.")
    var output = "text"

    func run() async throws {
      try await SecretsEncryptCommand.call("POST", SecretsEncryption.rotatePath, connection, output: output)
    }
  }

  static func call(_ method: String, _ path: String, _ connection: AdminConnection, output: String) async throws {
    guard output == "text" || output == "json" else { throw ValidationError("--output must be text or json") }
    let body = try await connection.call(method, path)
    print(output == "json" ? String(decoding: try body.serialized(), as: UTF8.self) : text(body))
  }

  /// K3s's status layout, with a count of Secrets per key.
  static func text(_ status: JSONValue) -> String {
    let keys = status["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
    let counts = status["secrets"]?.objectValue ?? [:]
    var lines = [
      "Encryption Status: \(status["enabled"]?.boolValue == true ? "Enabled" : "Disabled")",
      "Current Rotation Stage: \(status["stage"]?.stringValue ?? "unknown")",
      "",
      "Active  Key Type  Name                      Secrets",
      "------  --------  ----                      -------",
    ]
    for (index, name) in keys.enumerated() {
      let count = counts[name]?.intValue ?? 0
      lines.append(
        " \(index == 0 ? "*" : " ")      AES-GCM   \(name.padding(toLength: 25, withPad: " ", startingAt: 0)) \(count)")
    }
    if let plain = counts["identity"]?.intValue, plain > 0 {
      lines.append(
        "\n\(plain) Secrets are stored in plaintext (written before encryption was on); rotate-keys encrypts them.")
    }
    return lines.joined(separator: "\n")
  }
}
