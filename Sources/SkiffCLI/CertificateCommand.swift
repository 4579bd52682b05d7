import ArgumentParser
import Foundation
import KubeAPI
import PKI

/// `skiff certificate check|rotate|rotate-ca`: certificate expiry at a glance, forced renewal of
/// leaf certificates (the next start issues new ones from the same CAs, so clients keep trusting
/// them), and new cluster CAs (see ``CARotation``).
struct CertificateCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certificate", abstract: "Check or rotate this node's certificates.",
    subcommands: [Check.self, Rotate.self, RotateCA.self])

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

  struct RotateCA: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rotate-ca",
      abstract: "Replace the cluster CAs (skiff running); restart every server, then every agent.")

    @OptionGroup var connection: AdminConnection

    @Option(
      help: ArgumentHelp(
        "Directory with the new CAs to use instead of generated ones.",
        discussion: "server-ca.crt/.key and/or client-ca.crt/.key, PEM, ECDSA P-256."))
    var path: String?

    func run() async throws {
      let body = try JSONEncoder().encode(try path.map(Self.authorities) ?? CARotation.Authorities())
      let answer = try await connection.call("POST", CARotation.path, body: Array(body))
      guard let token = answer["token"]?.stringValue else {
        throw AdminConnection.Failure(description: "the server answered without a token: \(answer)")
      }
      print(
        """
        Stored new cluster CAs in the datastore; the replaced ones stay trusted until the next rotation.
        Restart every server, then every agent: servers issue their certificates from the new CAs, and
        agents fetch the new CA bundles and renew theirs. Tokens and kubeconfigs from before keep working.
        The cluster token from now on (servers write it to <data-dir>/server/token at their restart):
        \(token)
        """)
    }

    /// The pairs K3s's custom-CA layout names, each optional but complete.
    static func authorities(in directory: String) throws -> CARotation.Authorities {
      func pair(_ name: String) throws -> PEMKeyPair? {
        let certificate = try SecureFile.read("\(directory)/\(name).crt")
        let key = try SecureFile.read("\(directory)/\(name).key")
        switch (certificate, key) {
        case (nil, nil): return nil
        case (let certificate?, let key?): return PEMKeyPair(certificate: certificate, key: key)
        default: throw ValidationError("\(directory) has only one of \(name).crt and \(name).key")
        }
      }
      let authorities = CARotation.Authorities(serverCA: try pair("server-ca"), clientCA: try pair("client-ca"))
      guard authorities != CARotation.Authorities() else {
        throw ValidationError("\(directory) holds neither server-ca.crt/.key nor client-ca.crt/.key")
      }
      return authorities
    }
  }
}
