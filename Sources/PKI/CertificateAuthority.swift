import Crypto
import Foundation
import SwiftASN1
import X509

/// A self-signed CA (ECDSA P-256, as K3s uses) that issues the cluster's leaf certificates.
///
/// The PEM text is kept exactly as loaded: the join token pins the SHA-256 of the server CA's PEM bytes, so
/// every server must write and serve the same bytes.
public struct CertificateAuthority: Sendable {
  public let certificate: Certificate
  public let certificatePEM: String
  public let privateKeyPEM: String
  let privateKey: P256.Signing.PrivateKey

  /// CAs last ten years (K3s: 3650 days).
  public static let validity: TimeInterval = 3650 * 86400
  /// Certificates start this long before "now", so a server whose clock lags a little still accepts them.
  static let backdate: TimeInterval = 5 * 60

  /// A fresh CA named `commonName` (K3s style: "skiff-server-ca@<unix seconds>").
  public static func generate(commonName: String, now: Date = Date()) throws -> CertificateAuthority {
    let now = wholeSeconds(now)
    let key = P256.Signing.PrivateKey()
    let publicKey = Certificate.PublicKey(key.publicKey)
    let subject = CertificateSubject(commonName: commonName).distinguishedName
    let extensions = try Certificate.Extensions([
      Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true),
      Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: true, keyCertSign: true), critical: true),
      Certificate.Extension(SubjectKeyIdentifier(hash: publicKey), critical: false),
    ])
    let certificate = try Certificate(
      version: .v3, serialNumber: .init(), publicKey: publicKey,
      notValidBefore: now.addingTimeInterval(-backdate), notValidAfter: now.addingTimeInterval(validity),
      issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
      issuerPrivateKey: Certificate.PrivateKey(key))
    return try CertificateAuthority(
      certificatePEM: certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation, name: commonName)
  }

  /// Loads a CA from PEM; `name` (often the file path) appears in errors. Keys may be SEC1 or PKCS#8.
  public init(certificatePEM: String, privateKeyPEM: String, name: String = "CA") throws {
    let certificate = try Self.parseCertificate(certificatePEM, what: name)
    let key: P256.Signing.PrivateKey
    do {
      key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    } catch {
      throw PKIError.malformed(what: "\(name) key", reason: "expected an ECDSA P-256 private key (\(error))")
    }
    guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else { throw PKIError.keyMismatch(what: name) }
    guard
      try certificate.extensions.basicConstraints.map({ if case .isCertificateAuthority = $0 { true } else { false } })
        ?? false
    else { throw PKIError.malformed(what: name, reason: "certificate is not a CA (basicConstraints CA:FALSE)") }
    self.certificate = certificate
    self.certificatePEM = certificatePEM
    self.privateKeyPEM = privateKeyPEM
    self.privateKey = key
  }

  /// Issues a leaf with a new key. `validity` is capped at the CA's own expiry, as upstream signers do.
  public func issue(
    subject: CertificateSubject, names: SubjectAltNames? = nil, usage: CertificateUsage,
    validity: TimeInterval = LeafCertificate.validity, now: Date = Date()
  ) throws -> LeafCertificate {
    let key = P256.Signing.PrivateKey()
    let certificate = try sign(
      publicKey: Certificate.PublicKey(key.publicKey), subject: subject, names: names, usage: usage,
      validity: validity, now: now)
    return try LeafCertificate(
      certificatePEM: certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation,
      name: subject.commonName)
  }

  /// Signs someone else's public key (a CSR's); the caller keeps the private key.
  public func sign(
    publicKey: Certificate.PublicKey, subject: CertificateSubject, names: SubjectAltNames?, usage: CertificateUsage,
    validity: TimeInterval, now: Date = Date()
  ) throws -> Certificate {
    var extensions = try Certificate.Extensions([
      Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true),
      Certificate.Extension(KeyUsage(digitalSignature: true, keyEncipherment: true), critical: true),
      Certificate.Extension(usage.extendedKeyUsage, critical: false),
    ])
    if let keyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier {
      try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: keyID), critical: false))
    }
    if let names, !names.isEmpty {
      try extensions.append(
        Certificate.Extension(SubjectAlternativeNames(names.generalNames), critical: false))
    }
    let now = Self.wholeSeconds(now)
    let notAfter = min(now.addingTimeInterval(validity), certificate.notValidAfter)
    return try Certificate(
      version: .v3, serialNumber: .init(), publicKey: publicKey,
      notValidBefore: now.addingTimeInterval(-Self.backdate), notValidAfter: notAfter,
      issuer: certificate.subject, subject: subject.distinguishedName, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
  }

  /// `successor`'s certificate (its subject, key and CA extensions) signed by this CA, valid no
  /// longer than either: the link that lets clients trusting only this CA verify the successor's
  /// leaves after a CA rotation.
  public func crossSign(_ successor: CertificateAuthority, now: Date = Date()) throws -> String {
    var extensions = try Certificate.Extensions(
      successor.certificate.extensions.filter { $0.oid != .X509ExtensionID.authorityKeyIdentifier })
    if let keyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier {
      try extensions.append(Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: keyID), critical: false))
    }
    let now = Self.wholeSeconds(now)
    let crossSigned = try Certificate(
      version: .v3, serialNumber: .init(), publicKey: successor.certificate.publicKey,
      notValidBefore: now.addingTimeInterval(-Self.backdate),
      notValidAfter: min(successor.certificate.notValidAfter, certificate.notValidAfter),
      issuer: certificate.subject, subject: successor.certificate.subject, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
    return try crossSigned.serializeAsPEM().pemString
  }

  /// Whether this CA signed `leaf` (issuer name and signature), so a leaf left over from another CA is replaced.
  public func issued(_ leaf: Certificate) -> Bool {
    certificate.issued(leaf)
  }

  /// Certificates store whole seconds; truncating first keeps the stated validity from rounding up.
  static func wholeSeconds(_ date: Date) -> Date {
    Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
  }

  static func parseCertificate(_ pem: String, what: String) throws -> Certificate {
    do {
      return try Certificate(pemEncoded: pem)
    } catch {
      throw PKIError.malformed(what: what, reason: "expected one PEM CERTIFICATE (\(error))")
    }
  }
}

/// A certificate and its private key, as NIOSSL and kubeconfigs take them.
public struct LeafCertificate: Sendable {
  public let certificate: Certificate
  public let certificatePEM: String
  public let privateKeyPEM: String

  /// Leaves last a year (K3s: 365 days).
  public static let validity: TimeInterval = 365 * 86400
  /// A leaf with less than this left is reissued at start (K3s: 90 days).
  public static let renewalWindow: TimeInterval = 90 * 86400

  /// Loads a leaf from PEM; `name` appears in errors.
  public init(certificatePEM: String, privateKeyPEM: String, name: String = "certificate") throws {
    let certificate = try CertificateAuthority.parseCertificate(certificatePEM, what: name)
    let key: P256.Signing.PrivateKey
    do {
      key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
    } catch {
      throw PKIError.malformed(what: "\(name) key", reason: "expected an ECDSA P-256 private key (\(error))")
    }
    guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else { throw PKIError.keyMismatch(what: name) }
    self.certificate = certificate
    self.certificatePEM = certificatePEM
    self.privateKeyPEM = privateKeyPEM
  }

  public var subject: CertificateSubject { CertificateSubject(certificate.subject) }
  public var names: SubjectAltNames { SubjectAltNames((try? certificate.extensions.subjectAlternativeNames) ?? nil) }

  /// True when less than `renewalWindow` remains before expiry (or it already expired).
  public func needsRenewal(now: Date = Date()) -> Bool {
    certificate.notValidAfter.timeIntervalSince(now) < Self.renewalWindow
  }
}
