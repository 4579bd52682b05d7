import Crypto
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension ClusterPKI {
  /// One leaf this server keeps on disk and what it must look like.
  struct LeafSpec {
    var certificatePath: String
    var keyPath: String
    var subject: CertificateSubject
    var names: SubjectAltNames?
    var usage: CertificateUsage
  }

  static func readTokenFile(_ path: String) throws -> JoinToken? {
    guard let text = try SecureFile.read(path) else { return nil }
    do {
      return try JoinToken(parsing: text)
    } catch {
      throw PKIError.malformed(what: path, reason: "\(error); remove it or pass --token")
    }
  }

  /// The CAs and key a previous start left in `tls/` (a datastore that was reset keeps its cluster), or new ones.
  static func localOrNewBootstrap(_ paths: TLSPaths, secret: String, _ now: Date, _ logger: Logger) throws
    -> BootstrapData
  {
    let seconds = Int(now.timeIntervalSince1970)
    func authority(_ certificatePath: String, _ keyPath: String, _ name: String) throws -> PEMKeyPair {
      if let certificate = try SecureFile.read(certificatePath), let key = try SecureFile.read(keyPath) {
        _ = try CertificateAuthority(certificatePEM: certificate, privateKeyPEM: key, name: certificatePath)
        logger.info("offering the existing \(certificatePath) to the datastore")
        return .init(certificate: certificate, key: key)
      }
      let generated = try CertificateAuthority.generate(commonName: "\(name)@\(seconds)", now: now)
      logger.info("generated \(name)", metadata: ["path": "\(certificatePath)"])
      return .init(certificate: generated.certificatePEM, key: generated.privateKeyPEM)
    }
    let serverCA = try authority(paths.serverCACertificate, paths.serverCAKey, "skiff-server-ca")
    let clientCA = try authority(paths.clientCACertificate, paths.clientCAKey, "skiff-client-ca")
    var serviceAccountKey = P256.Signing.PrivateKey().pemRepresentation
    if let existing = try SecureFile.read(paths.serviceAccountKey) {
      _ = try ServiceAccountTokens(signingKeyPEM: existing, name: paths.serviceAccountKey)
      serviceAccountKey = existing
    }
    return BootstrapData(
      serverCA: serverCA, clientCA: clientCA, serviceAccountKey: serviceAccountKey, tokenSecret: secret)
  }

  /// Writes only when the content differs, so restarts do not churn files; always tightens the mode.
  static func writeIfChanged(_ text: String, _ path: String, mode: mode_t) throws {
    if try SecureFile.read(path) == text {
      try SecureFile.enforceMode(path, mode: mode)
    } else {
      try SecureFile.save(text, to: path, mode: mode)
    }
  }

  /// The leaf on disk when it still fits `spec`, else a new one from `ca`, written key first.
  static func ensureLeaf(_ spec: LeafSpec, ca: CertificateAuthority, now: Date, logger: Logger) throws
    -> LeafCertificate
  {
    let reason: String
    if let certificate = try SecureFile.read(spec.certificatePath), let key = try SecureFile.read(spec.keyPath),
      let existing = try? LeafCertificate(certificatePEM: certificate, privateKeyPEM: key)
    {
      if !ca.issued(existing.certificate) {
        reason = "it was signed by another CA"
      } else if existing.needsRenewal(now: now) {
        reason = "it expires \(existing.certificate.notValidAfter)"
      } else if existing.subject != spec.subject {
        reason = "its subject changed"
      } else if let names = spec.names, !names.isSubset(of: existing.names) {
        reason = "it lacks names \(missing(names, from: existing.names))"
      } else {
        try SecureFile.enforceMode(spec.keyPath, mode: 0o600)
        return existing
      }
    } else {
      reason = "none is usable on disk"
    }
    let leaf = try ca.issue(subject: spec.subject, names: spec.names, usage: spec.usage, now: now)
    try SecureFile.save(leaf.privateKeyPEM, to: spec.keyPath, mode: 0o600)
    try SecureFile.save(leaf.certificatePEM, to: spec.certificatePath, mode: 0o644)
    logger.info("issued \(spec.certificatePath) because \(reason)")
    return leaf
  }

  private static func missing(_ wanted: SubjectAltNames, from present: SubjectAltNames) -> [String] {
    wanted.dnsNames.filter { !present.dnsNames.contains($0) }
      + wanted.ipAddresses.filter { !present.ipAddresses.contains($0) }
  }
}
