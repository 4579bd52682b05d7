import Foundation
import Testing

@testable import PKI

@Suite("ClusterPKI files and renewal")
struct ClusterPKITests {
  func options(_ dir: TemporaryDirectory, sans: [String] = [], token: String? = nil) -> ClusterPKI.Options {
    ClusterPKI.Options(
      dataDirectory: dir.path, hostname: "edge-1", nodeIPs: ["192.168.1.10"], tlsSANs: sans, token: token)
  }

  @Test func firstStartWritesK3sLayoutWithTightModes() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await ClusterPKI.loadOrCreate(options(dir), store: MemoryBootstrapStore())
    let paths = pki.paths
    #expect(paths.directory == "\(dir.path)/server/tls")
    for key in [
      paths.serverCAKey, paths.clientCAKey, paths.serviceAccountKey, paths.servingKey, paths.adminKey,
      paths.apiServerClientKey, paths.tokenFile,
    ] {
      #expect(try fileMode(key) == 0o600, "\(key)")
    }
    for certificate in [
      paths.serverCACertificate, paths.clientCACertificate, paths.servingCertificate,
      paths.adminCertificate,
    ] {
      #expect(try fileMode(certificate) == 0o644, "\(certificate)")
    }
    #expect(try fileMode(paths.directory) == 0o700)
    #expect(try fileMode("\(dir.path)/server") == 0o755)
    #expect(try String(contentsOfFile: paths.serverCACertificate, encoding: .utf8) == pki.serverCA.certificatePEM)

    let tokenText = try String(contentsOfFile: paths.tokenFile, encoding: .utf8)
    #expect(tokenText == "\(pki.token)\n")
    #expect(tokenText.hasPrefix("K10\(JoinToken.caHash(pem: pki.serverCA.certificatePEM))::server:"))
    #expect(pki.token.secret.count == 32)

    let names = pki.serving.names
    #expect(
      Set(names.dnsNames) == [
        "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
        "localhost", "edge-1",
      ])
    #expect(Set(names.ipAddresses) == ["127.0.0.1", "::1", "10.43.0.1", "192.168.1.10"])
    #expect(pki.admin.subject == CertificateSubject(commonName: "system:admin", organizations: ["system:masters"]))
    #expect(pki.serverCA.issued(pki.serving.certificate))
    #expect(pki.clientCA.issued(pki.admin.certificate))
    #expect(pki.clientCA.issued(pki.apiServerClient.certificate))
    #expect(CertificateSubject(pki.serverCA.certificate.subject).commonName.hasPrefix("skiff-server-ca@"))
  }

  @Test(.enabled(if: opensslAvailable)) func writtenFilesVerifyWithOpenSSL() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await ClusterPKI.loadOrCreate(
      options(dir, sans: ["api.example.com", "203.0.113.7"]),
      store: MemoryBootstrapStore())
    let paths = pki.paths
    let serving = try run(
      "openssl", ["verify", "-CAfile", paths.serverCACertificate, "-purpose", "sslserver", paths.servingCertificate])
    #expect(serving.status == 0, "\(serving.output)")
    let admin = try run(
      "openssl", ["verify", "-CAfile", paths.clientCACertificate, "-purpose", "sslclient", paths.adminCertificate])
    #expect(admin.status == 0, "\(admin.output)")
    let text = try run("openssl", ["x509", "-noout", "-text", "-in", paths.servingCertificate]).output
    #expect(text.contains("DNS:api.example.com"))
    #expect(text.contains("IP Address:203.0.113.7"))
    #expect(text.contains("IP Address:10.43.0.1"))
    let check = try run("openssl", ["pkey", "-noout", "-check", "-in", paths.serviceAccountKey])
    #expect(check.status == 0, "\(check.output)")
  }

  @Test func restartKeepsEverythingUntilRenewalIsDue() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = MemoryBootstrapStore()
    let now = Date()
    let first = try await ClusterPKI.loadOrCreate(options(dir), store: store, now: now.addingTimeInterval(-200 * 86400))
    let second = try await ClusterPKI.loadOrCreate(options(dir), store: store, now: now)
    #expect(second.serving.certificatePEM == first.serving.certificatePEM, "165 days left: kept")
    #expect(second.admin.certificatePEM == first.admin.certificatePEM)
    #expect(second.token == first.token)

    let later = now.addingTimeInterval(80 * 86400)
    let third = try await ClusterPKI.loadOrCreate(options(dir), store: store, now: later)
    #expect(third.serving.certificatePEM != first.serving.certificatePEM, "85 days left: renewed")
    #expect(third.admin.certificatePEM != first.admin.certificatePEM)
    #expect(!third.serving.needsRenewal(now: later))
    #expect(third.serverCA.certificatePEM == first.serverCA.certificatePEM, "CAs are not renewed")
    #expect(
      try String(contentsOfFile: third.paths.servingCertificate, encoding: .utf8) == third.serving.certificatePEM)
    #expect(try fileMode(third.paths.servingKey) == 0o600)
  }

  @Test func newTLSSANReissuesTheServingCertificate() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = MemoryBootstrapStore()
    let first = try await ClusterPKI.loadOrCreate(options(dir), store: store)
    let second = try await ClusterPKI.loadOrCreate(options(dir, sans: ["lb.example.com"]), store: store)
    #expect(second.serving.certificatePEM != first.serving.certificatePEM)
    #expect(second.serving.names.dnsNames.contains("lb.example.com"))
    #expect(second.admin.certificatePEM == first.admin.certificatePEM)
  }

  @Test func tamperedKeyFileIsReplaced() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = MemoryBootstrapStore()
    let first = try await ClusterPKI.loadOrCreate(options(dir), store: store)
    let stray = try CertificateAuthority.generate(commonName: "x").issue(
      subject: .init(commonName: "y"), usage: .client)
    try stray.privateKeyPEM.write(toFile: first.paths.servingKey, atomically: true, encoding: .utf8)
    let second = try await ClusterPKI.loadOrCreate(options(dir), store: store)
    #expect(second.serving.certificatePEM != first.serving.certificatePEM)
    _ = try LeafCertificate(
      certificatePEM: String(contentsOfFile: second.paths.servingCertificate, encoding: .utf8),
      privateKeyPEM: String(contentsOfFile: second.paths.servingKey, encoding: .utf8))
  }

  @Test func looseKeyModesAreTightened() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let store = MemoryBootstrapStore()
    let pki = try await ClusterPKI.loadOrCreate(options(dir), store: store)
    chmod(pki.paths.adminKey, 0o644)
    chmod(pki.paths.serverCAKey, 0o644)
    _ = try await ClusterPKI.loadOrCreate(options(dir), store: store)
    #expect(try fileMode(pki.paths.adminKey) == 0o600)
    #expect(try fileMode(pki.paths.serverCAKey) == 0o600)
  }

  @Test func badInputsAreReportedWithWhatToFix() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    await #expect(throws: PKIError.invalidName("not a name!")) {
      try await ClusterPKI.loadOrCreate(options(dir, sans: ["not a name!"]), store: MemoryBootstrapStore())
    }
    let paths = TLSPaths(dataDirectory: dir.path)
    try SecureFile.save("K10abc::server:x\n", to: paths.tokenFile, mode: 0o600)
    do {
      _ = try await ClusterPKI.loadOrCreate(options(dir), store: MemoryBootstrapStore())
      Issue.record("a malformed token file was accepted")
    } catch let error as PKIError {
      #expect("\(error)".contains(paths.tokenFile) && "\(error)".contains("remove it or pass --token"))
    }
    await #expect(throws: PKIError.invalidToken("token must not be empty")) {
      try await ClusterPKI.loadOrCreate(options(dir, token: " "), store: MemoryBootstrapStore())
    }
  }

  @Test func adminKubeconfigEmbedsTheAdminCertificate() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await ClusterPKI.loadOrCreate(options(dir), store: MemoryBootstrapStore())
    let kubeconfig = pki.adminKubeconfig()
    #expect(kubeconfig.server == "https://127.0.0.1:6443")
    #expect(kubeconfig.certificateAuthorityPEM == pki.serverCA.certificatePEM)
    #expect(
      kubeconfig.credentials
        == .clientCertificate(certificatePEM: pki.admin.certificatePEM, keyPEM: pki.admin.privateKeyPEM))
    let identity = try pki.clientCertificateAuthenticator.authenticate(pki.admin.certificate)
    #expect(identity == ClientIdentity(user: "system:admin", groups: ["system:masters"]))
  }
}
