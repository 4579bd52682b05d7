import Foundation
import SwiftASN1
import X509

/// Who a client certificate says the caller is: CN is the user, each O a group (upstream's x509 authenticator).
public struct ClientIdentity: Sendable, Equatable {
  public var user: String
  public var groups: [String]

  public init(user: String, groups: [String]) {
    self.user = user
    self.groups = groups
  }
}

/// Verifies a TLS peer's certificate against the client CA after the handshake, so the server can request but
/// not require client certificates and fall back to bearer tokens.
///
/// Only leaves signed directly by a trusted CA are accepted; skiff issues no intermediates.
public struct ClientCertificateAuthenticator: Sendable {
  public let trustedCAs: [Certificate]

  public init(trusting trustedCAs: [Certificate]) {
    self.trustedCAs = trustedCAs
  }

  /// Authenticates the peer's leaf certificate given as DER (NIOSSL's `toDERBytes()`).
  public func authenticate(leafDER: [UInt8], now: Date = Date()) throws -> ClientIdentity {
    let leaf: Certificate
    do {
      leaf = try Certificate(derEncoded: leafDER)
    } catch {
      throw PKIError.untrustedCertificate("not a DER X.509 certificate (\(error))")
    }
    return try authenticate(leaf, now: now)
  }

  /// Authenticates a PEM leaf (the first certificate in `pem`).
  public func authenticate(leafPEM pem: String, now: Date = Date()) throws -> ClientIdentity {
    guard let first = PEMBundle.blocks(pem).first, let leaf = try? Certificate(pemEncoded: first) else {
      throw PKIError.untrustedCertificate("not a PEM X.509 certificate")
    }
    return try authenticate(leaf, now: now)
  }

  /// Checks signature by a trusted CA, both validity windows, and the client-auth extended key usage.
  public func authenticate(_ leaf: Certificate, now: Date = Date()) throws -> ClientIdentity {
    let issuers = trustedCAs.filter { $0.subject == leaf.issuer }
    guard !issuers.isEmpty else {
      throw PKIError.untrustedCertificate("issuer \"\(leaf.issuer)\" is not this cluster's client CA")
    }
    guard let issuer = issuers.first(where: { $0.publicKey.isValidSignature(leaf.signature, for: leaf) }) else {
      throw PKIError.untrustedCertificate("signature does not verify with the client CA")
    }
    guard leaf.notValidBefore <= now else {
      throw PKIError.untrustedCertificate("not valid before \(leaf.notValidBefore)")
    }
    guard now <= leaf.notValidAfter else { throw PKIError.untrustedCertificate("expired at \(leaf.notValidAfter)") }
    guard issuer.notValidBefore <= now, now <= issuer.notValidAfter else {
      throw PKIError.untrustedCertificate("the client CA is outside its validity window")
    }
    if case .some(.isCertificateAuthority) = try? leaf.extensions.basicConstraints {
      throw PKIError.untrustedCertificate("a CA certificate cannot authenticate a client")
    }
    guard let usages = try? leaf.extensions.extendedKeyUsage,
      usages.contains(.clientAuth) || usages.contains(.any)
    else { throw PKIError.untrustedCertificate("extended key usage does not include client auth") }
    let subject = CertificateSubject(leaf.subject)
    guard !subject.commonName.isEmpty else { throw PKIError.untrustedCertificate("subject has no common name") }
    return ClientIdentity(user: subject.commonName, groups: subject.organizations)
  }
}
