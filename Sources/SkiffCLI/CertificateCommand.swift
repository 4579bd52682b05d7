import ArgumentParser
import Foundation
import PKI

/// `skiff certificate check|rotate`: certificate expiry at a glance, and forced renewal of leaf
/// certificates (the next start issues new ones from the same CAs, so clients keep trusting them).
struct CertificateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certificate", abstract: "Check or rotate this node's certificates.",
    subcommands: [Check.self, Rotate.self])

  struct Location: ParsableArguments {
    @Option(help: "Directory for state (default /var/lib/skiff, ~/.skiff when not root).")
    var dataDir: String?

    var inventory: CertificateInventory {
      CertificateInventory(
        dataDirectory: dataDir
          ?? (getuid() == 0 ? "/var/lib/skiff" : "\(FileManager.default.homeDirectoryForCurrentUser.path)/.skiff"))
    }
  }

  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List certificates with their expiry; exits 1 when one has expired.")

    @OptionGroup var location: Location

    func run() async throws {
      let entries = try location.inventory.entries()
      guard !entries.isEmpty else {
        throw ValidationError("no certificates under \(location.inventory.directories.joined(separator: " or "))")
      }
      let now = Date()
      var rows = [["SERVICE", "FILE", "SUBJECT", "EXPIRES", "RESIDUAL", "STATUS"]]
      for entry in entries {
        let days = Int(entry.notAfter.timeIntervalSince(now) / 86400)
        rows.append([
          entry.service, entry.path, entry.subject, ISO8601DateFormatter().string(from: entry.notAfter), "\(days)d",
          entry.status(now: now),
        ])
      }
      print(TokenCommand.table(rows), terminator: "")
      if entries.contains(where: { $0.status(now: now) == "EXPIRED" }) { throw ExitCode(1) }
    }
  }

  struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Set leaf certificates aside so the next start of skiff issues new ones (stop skiff first).")

    @OptionGroup var location: Location

    @Option(help: "Comma-separated services to rotate: admin, api-server, kubelet (default: all).")
    var service: [String] = []

    func run() async throws {
      let services = Set(service.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
      let moved: [String]
      do { moved = try location.inventory.rotate(services: services) } catch let error as PKIError {
        throw ValidationError("\(error)")
      }
      guard !moved.isEmpty else { throw ValidationError("no leaf certificates found to rotate") }
      for path in moved { print("rotated \(path)") }
      print("Restart skiff to issue new certificates.")
    }
  }
}
