import Foundation
import X509

/// The certificates a node keeps on disk, for `skiff certificate check|rotate`: which service
/// each belongs to, who issued it, and when it runs out.
public struct CertificateInventory: Sendable {
  /// One certificate file.
  public struct Entry: Sendable, Equatable {
    public var service: String
    public var path: String
    public var subject: String
    public var issuer: String
    public var notAfter: Date
    public var isAuthority: Bool

    /// "OK", "WARNING" inside the renewal window (renewed at the next start), "EXPIRED".
    public func status(now: Date = Date()) -> String {
      if notAfter <= now { return "EXPIRED" }
      return notAfter.timeIntervalSince(now) < LeafCertificate.renewalWindow ? "WARNING" : "OK"
    }
  }

  /// K3s's service names for the files skiff writes; CAs are `ca`.
  public static let services: [String: String] = [
    "server-ca.crt": "ca", "client-ca.crt": "ca",
    "serving-kube-apiserver.crt": "api-server", "client-kube-apiserver.crt": "api-server",
    "client-admin.crt": "admin",
    "serving-kubelet.crt": "kubelet", "client-kubelet.crt": "kubelet",
  ]

  public let dataDirectory: String

  public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

  /// The directories holding them: the server's TLS files and the agent's identity.
  public var directories: [String] { [TLSPaths(dataDirectory: dataDirectory).directory, "\(dataDirectory)/agent"] }

  /// Every known certificate that exists, CAs first.
  public func entries() throws -> [Entry] {
    var entries: [Entry] = []
    for directory in directories {
      for (file, service) in Self.services.sorted(by: { $0.key < $1.key }) {
        let path = "\(directory)/\(file)"
        guard let pem = try SecureFile.read(path) else { continue }
        let certificate: Certificate
        do { certificate = try Certificate(pemEncoded: pem) } catch {
          throw PKIError.malformed(what: path, reason: "\(error)")
        }
        entries.append(
          Entry(
            service: service, path: path, subject: certificate.subject.description,
            issuer: certificate.issuer.description, notAfter: certificate.notValidAfter, isAuthority: service == "ca"))
      }
    }
    return entries.sorted { ($0.isAuthority ? 0 : 1, $0.path) < ($1.isAuthority ? 0 : 1, $1.path) }
  }

  /// Moves the leaf certificates (and keys) of `services` (all leaves when empty) into
  /// `<dir>/rotated-<time>/`, so the next start issues new ones; CAs are never touched.
  /// Returns the moved certificate paths.
  @discardableResult
  public func rotate(services: Set<String>, now: Date = Date()) throws -> [String] {
    let unknown = services.subtracting(Set(Self.services.values).subtracting(["ca"]))
    guard unknown.isEmpty else {
      throw PKIError.invalidName(
        "unknown service \(unknown.sorted().joined(separator: ", ")); known: admin, api-server, kubelet")
    }
    var moved: [String] = []
    for entry in try entries() where !entry.isAuthority && (services.isEmpty || services.contains(entry.service)) {
      let directory = (entry.path as NSString).deletingLastPathComponent
      let backup = "\(directory)/rotated-\(Int64(now.timeIntervalSince1970))"
      try SecureFile.makeDirectory(backup, mode: 0o700)
      let key = String(entry.path.dropLast(".crt".count)) + ".key"
      for file in [entry.path, key] where FileManager.default.fileExists(atPath: file) {
        let target = "\(backup)/\((file as NSString).lastPathComponent)"
        do { try FileManager.default.moveItem(atPath: file, toPath: target) } catch {
          throw PKIError.io(path: file, reason: "cannot move to \(target): \(error)")
        }
      }
      moved.append(entry.path)
    }
    return moved
  }
}
