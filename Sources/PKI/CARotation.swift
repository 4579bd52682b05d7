import Foundation

/// `skiff certificate rotate-ca`: new server and client CAs for the whole cluster, in the
/// datastore's bootstrap data, which every server loads at its next start.
///
/// Nothing breaks on the way: the replaced CAs stay trusted (in `/cacerts`, kubeconfigs, the
/// API server's and kubelets' client CA bundles) until the next rotation, and the new server CA
/// is cross-signed by the old one, so kubeconfigs and tokens from before still verify the API
/// server. Servers restarted after the rotation issue their leaves from the new CAs; agents
/// restarted after that fetch the new bundles over the connection their old CA verifies and
/// renew their certificates from the new CAs.
public struct CARotation: Sendable {
  public static let path = "/v1-skiff/rotate-ca"

  /// CAs an operator brings instead of generated ones (`rotate-ca --path`), ECDSA P-256.
  public struct Authorities: Codable, Sendable, Equatable {
    public var serverCA: PEMKeyPair?
    public var clientCA: PEMKeyPair?

    public init(serverCA: PEMKeyPair? = nil, clientCA: PEMKeyPair? = nil) {
      self.serverCA = serverCA
      self.clientCA = clientCA
    }
  }

  let store: any BootstrapStore
  let tokenSecret: String

  /// `tokenSecret` opens and seals the bootstrap data (the cluster token's secret).
  public init(store: any BootstrapStore, tokenSecret: String) {
    self.store = store
    self.tokenSecret = tokenSecret
  }

  /// Stores the new CAs and returns the cluster token that pins them (tokens from before keep
  /// working: they pin the retired CA, which stays in the bundle).
  public func rotate(_ replacement: Authorities = Authorities(), now: Date = Date()) async throws -> JoinToken {
    // Compare-and-swap: when a concurrent rotation on another server wins, this one starts over.
    for _ in 0..<3 {
      guard let blob = try await store.loadBootstrap() else {
        throw PKIError.invalidBootstrap("the datastore holds no cluster CAs yet")
      }
      var data = try BootstrapData.open(blob, passphrase: tokenSecret)
      let oldServerCA = try CertificateAuthority(data.serverCA, name: "server CA")
      let serverCA = try successor(of: oldServerCA, given: replacement.serverCA, name: "server-ca", now: now)
      let clientCA = try successor(
        of: try CertificateAuthority(data.clientCA, name: "client CA"), given: replacement.clientCA, name: "client-ca",
        now: now)
      data.retired = BootstrapData.Retired(
        serverCA: data.serverCA.certificate, crossSignedServerCA: try oldServerCA.crossSign(serverCA, now: now),
        clientCA: data.clientCA.certificate)
      data.serverCA = PEMKeyPair(certificate: serverCA.certificatePEM, key: serverCA.privateKeyPEM)
      data.clientCA = PEMKeyPair(certificate: clientCA.certificatePEM, key: clientCA.privateKeyPEM)
      if try await store.replaceBootstrap(blob, with: try data.sealed(passphrase: tokenSecret)) {
        let bundle = PEMBundle.joined(serverCA.certificatePEM, after: data.retired?.serverCA)
        return JoinToken(
          caHash: JoinToken.caHash(pem: bundle), credentials: .password(user: "server", password: tokenSecret))
      }
    }
    throw PKIError.invalidBootstrap("the bootstrap data kept changing during the rotation; run rotate-ca again")
  }

  /// The given CA, or a new one named K3s-style (`skiff-server-ca@<unix seconds>`); its subject
  /// must differ from the one it replaces, or chains could not tell them apart.
  func successor(of current: CertificateAuthority, given: PEMKeyPair?, name: String, now: Date) throws
    -> CertificateAuthority
  {
    let next =
      try given.map { try CertificateAuthority($0, name: "new \(name)") }
      ?? CertificateAuthority.generate(commonName: "skiff-\(name)@\(Int(now.timeIntervalSince1970))", now: now)
    guard next.certificate.subject != current.certificate.subject else {
      throw PKIError.malformed(
        what: "new \(name)", reason: "it has the subject of the CA it replaces (\(current.certificate.subject))")
    }
    return next
  }
}

extension CertificateAuthority {
  init(_ pair: PEMKeyPair, name: String) throws {
    try self.init(certificatePEM: pair.certificate, privateKeyPEM: pair.key, name: name)
  }
}
