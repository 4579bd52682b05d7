import ArgumentParser
import Foundation
import KubeAPI
import KubeClient
import PKI

/// `skiff token create|list|delete`: kubeadm-style bootstrap tokens agents can join with, kept as Secrets
/// `kube-system/bootstrap-token-<id>`; expired ones stop working and the token cleaner removes them.
struct TokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token", abstract: "Manage bootstrap tokens agents join with.",
    subcommands: [Create.self, List.self, Delete.self])

  struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Create a bootstrap token and print it in the K10<ca-hash>::<id>.<secret> form `skiff agent --token` takes.")

    @OptionGroup var connection: AdminConnection

    @Option(help: "Lifetime, e.g. 24h, 90m, 1h30m; 0 never expires.")
    var ttl = "24h"

    @Option(help: "A note shown by `skiff token list`.")
    var description = ""

    @Option(help: "Comma-separated usages: authentication, signing.")
    var usages = "authentication,signing"

    @Option(help: "Comma-separated extra groups, each system:bootstrappers:….")
    var groups = BootstrapToken.defaultExtraGroup

    func run() async throws {
      guard let seconds = TokenCommand.parseDuration(ttl) else {
        throw ValidationError("--ttl \"\(ttl)\" is not a duration such as 24h, 90m or 0")
      }
      let usageList = usages.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      for usage in usageList where !BootstrapToken.knownUsages.contains(usage) {
        throw ValidationError(
          "--usages: unknown \"\(usage)\"; known: \(BootstrapToken.knownUsages.joined(separator: ", "))")
      }
      let groupList = groups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      for group in groupList where !BootstrapToken.isValidExtraGroup(group) {
        throw ValidationError("--groups: \"\(group)\" must look like system:bootstrappers:<name>")
      }
      let token = BootstrapToken.generate(
        ttl: seconds, usages: usageList, extraGroups: groupList, description: description)
      let (client, transport) = try connection.client()
      let ca = try await transport.send(KubeRequest(method: "GET", path: "/cacerts"))
      guard ca.status == 200 else {
        throw AdminConnection.Failure(description: "cannot read the cluster CA from /cacerts (\(ca.status))")
      }
      var data: [String: JSONValue] = [:]
      for (key, value) in token.secretData { data[key] = .string(Data(value.utf8).base64EncodedString()) }
      let secret: JSONValue = [
        "apiVersion": "v1", "kind": "Secret", "type": .string(BootstrapToken.secretType),
        "metadata": ["name": .string(token.secretName), "namespace": .string(BootstrapToken.namespace)],
        "data": .object(data),
      ]
      _ = try await client.create(.secrets, secret)
      let pinned = JoinToken(
        caHash: JoinToken.caHash(pem: String(decoding: ca.body, as: UTF8.self)),
        credentials: .bootstrapToken(id: token.id, secret: token.secret))
      print(pinned)
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List bootstrap tokens.")

    @OptionGroup var connection: AdminConnection

    func run() async throws {
      let (client, _) = try connection.client()
      let list = try await client.list(.secrets, namespace: BootstrapToken.namespace)
      var rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]]
      let now = Date()
      for secret in list.items where secret["type"]?.stringValue == BootstrapToken.secretType {
        var data: [String: String] = [:]
        for (key, value) in secret["data"]?.objectValue ?? [:] {
          if let bytes = value.stringValue.flatMap({ Data(base64Encoded: $0) }) {
            data[key] = String(decoding: bytes, as: UTF8.self)
          }
        }
        guard let token = try? BootstrapToken(secretName: secret.metadata.name ?? "", data: data) else { continue }
        let ttl = token.expiration.map { TokenCommand.humanDuration($0.timeIntervalSince(now)) } ?? "<forever>"
        let expires = token.expiration.map { KubeTime(milliseconds: Int64($0.timeIntervalSince1970 * 1000)).rfc3339 }
        rows.append([
          token.token, ttl, expires ?? "<never>", token.usages.joined(separator: ","),
          token.description.isEmpty ? "<none>" : token.description, token.extraGroups.joined(separator: ","),
        ])
      }
      print(TokenCommand.table(rows), terminator: "")
    }
  }

  struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Delete bootstrap tokens by id or whole token.")

    @OptionGroup var connection: AdminConnection

    @Argument(help: "Token ids (abcdef) or tokens (abcdef.0123456789abcdef, K10…::abcdef.0123456789abcdef).")
    var tokens: [String]

    func run() async throws {
      guard !tokens.isEmpty else { throw ValidationError("name at least one token or token id") }
      let (client, _) = try connection.client()
      for text in tokens {
        var id = text
        if let parsed = try? JoinToken(parsing: text), case .bootstrapToken(let tokenID, _) = parsed.credentials {
          id = tokenID
        }
        guard id.count == 6, id.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
          throw ValidationError("\"\(text)\" is neither a token id ([a-z0-9]{6}) nor a bootstrap token")
        }
        do {
          _ = try await client.delete(
            .secrets, namespace: BootstrapToken.namespace, name: BootstrapToken.secretPrefix + id)
        } catch  where error.isNotFound {
          throw AdminConnection.Failure(description: "bootstrap token \"\(id)\" not found")
        }
        print("bootstrap token \"\(id)\" deleted")
      }
    }
  }

  /// Go-style durations: `24h`, `90m`, `1h30m`, `45s`, `0`.
  static func parseDuration(_ text: String) -> TimeInterval? {
    if text == "0" { return 0 }
    var total: TimeInterval = 0
    var number = ""
    var sawUnit = false
    for character in text {
      if character.isNumber || character == "." {
        number.append(character)
        continue
      }
      guard let value = Double(number) else { return nil }
      switch character {
      case "h": total += value * 3600
      case "m": total += value * 60
      case "s": total += value
      case "d": total += value * 86400
      default: return nil
      }
      number = ""
      sawUnit = true
    }
    return sawUnit && number.isEmpty ? total : nil
  }

  /// kubectl's short form: 59s, 45m, 23h, 6d.
  static func humanDuration(_ seconds: TimeInterval) -> String {
    if seconds <= 0 { return "<expired>" }
    let value = Int(seconds)
    if value < 120 { return "\(value)s" }
    if value < 7200 { return "\(value / 60)m" }
    if value < 48 * 3600 { return "\(value / 3600)h" }
    return "\(value / 86400)d"
  }

  static func table(_ rows: [[String]]) -> String {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
      }.joined()
    }.joined(separator: "\n") + "\n"
  }
}
