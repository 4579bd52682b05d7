import Foundation
import Testing
import X509

@testable import PKI

@Suite("CA rotation in the bootstrap data")
struct CARotationTests {
  static func start(_ store: MemoryBootstrapStore, token: String? = nil) async throws -> (
    ClusterPKI, TemporaryDirectory
  ) {
    let dir = try TemporaryDirectory()
    return (
      try await ClusterPKI.loadOrCreate(.init(dataDirectory: dir.path, hostname: "s", token: token), store: store), dir
    )
  }

  @Test func rotationKeepsTheRetiredCAsTrustedAndTheOldTokenValid() async throws {
    let store = MemoryBootstrapStore()
    let (before, first) = try await Self.start(store)
    defer { first.remove() }
    let rotation = CARotation(store: store, tokenSecret: before.token.secret)
    let token = try await rotation.rotate(now: Date().addingTimeInterval(5))

    // A server started with the token from before loads the new CAs and writes the new token.
    let (after, second) = try await Self.start(store, token: before.token.description)
    defer { second.remove() }
    #expect(after.token == token)
    #expect(after.serverCA.certificatePEM != before.serverCA.certificatePEM)
    #expect(after.serverCA.issued(after.serving.certificate) && after.clientCA.issued(after.admin.certificate))
    #expect(PEMBundle.blocks(after.serverCABundlePEM).count == 2)
    #expect(PEMBundle.blocks(after.clientCABundlePEM).count == 2)
    try token.verify(caBundlePEM: after.serverCABundlePEM)
    #expect(throws: PKIError.self) { try before.token.verify(caBundlePEM: after.serverCABundlePEM) }
    #expect(before.token.pinsCA(in: after.serverCABundlePEM))
    #expect(
      before.token.pinnedCertificate(in: after.serverCABundlePEM).map(JoinToken.caHash(pem:))
        == JoinToken.caHash(pem: before.serverCA.certificatePEM))
    // Clients of either CA authenticate.
    let authenticator = after.clientCertificateAuthenticator
    #expect(try authenticator.authenticate(before.admin.certificate).user == "system:admin")
    #expect(try authenticator.authenticate(after.admin.certificate).user == "system:admin")

    // The serving chain leads from the new leaf to the retired root through the cross-signed CA.
    let chain = PEMBundle.certificates(after.servingChainPEM)
    #expect(chain.count == 2)
    #expect(chain[0] == after.serving.certificate)
    #expect(chain[1].subject == after.serverCA.certificate.subject)
    #expect(chain[1].issuer == before.serverCA.certificate.subject)
    #expect(chain[1].publicKey == after.serverCA.certificate.publicKey)
    #expect(before.serverCA.issued(chain[1]))
    #expect(try chain[1].extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))

    // A second rotation retires the second CAs; the first ones are no longer trusted.
    _ = try await rotation.rotate(now: Date().addingTimeInterval(10))
    let (third, thirdDir) = try await Self.start(store, token: token.description)
    defer { thirdDir.remove() }
    #expect(!third.serverCABundlePEM.contains(before.serverCA.certificatePEM))
    #expect(third.serverCABundlePEM.contains(after.serverCA.certificatePEM))
    #expect(throws: PKIError.self) { try third.clientCertificateAuthenticator.authenticate(before.admin.certificate) }
  }

  @Test(.enabled(if: opensslAvailable)) func openSSLFollowsTheCrossSignedChain() async throws {
    let store = MemoryBootstrapStore()
    let (before, first) = try await Self.start(store)
    defer { first.remove() }
    _ = try await CARotation(store: store, tokenSecret: before.token.secret).rotate(now: Date().addingTimeInterval(5))
    let (after, second) = try await Self.start(store, token: before.token.description)
    defer { second.remove() }
    let blocks = PEMBundle.blocks(after.servingChainPEM)
    try before.serverCA.certificatePEM.write(toFile: second.file("old.pem"), atomically: true, encoding: .utf8)
    try after.serverCABundlePEM.write(toFile: second.file("bundle.pem"), atomically: true, encoding: .utf8)
    try blocks[0].write(toFile: second.file("leaf.pem"), atomically: true, encoding: .utf8)
    try blocks[1].write(toFile: second.file("cross.pem"), atomically: true, encoding: .utf8)
    for (trusted, untrusted) in [("old.pem", ["-untrusted", second.file("cross.pem")]), ("bundle.pem", [])] {
      let result = try run(
        "openssl", ["verify", "-CAfile", second.file(trusted)] + untrusted + [second.file("leaf.pem")])
      #expect(result.status == 0, "\(trusted): \(result.output)")
    }
    let alone = try run("openssl", ["verify", "-CAfile", second.file("old.pem"), second.file("leaf.pem")])
    #expect(alone.status != 0, "without the cross-signed CA the old root does not reach the new leaf")
  }

  @Test func refusedReplacementsChangeNothing() async throws {
    let store = MemoryBootstrapStore()
    let (pki, dir) = try await Self.start(store)
    defer { dir.remove() }
    let blob = try #require(await store.loadBootstrap())
    let rotation = CARotation(store: store, tokenSecret: pki.token.secret)
    let same = PEMKeyPair(certificate: pki.serverCA.certificatePEM, key: pki.serverCA.privateKeyPEM)
    await #expect(throws: PKIError.self) { try await rotation.rotate(.init(serverCA: same)) }
    let mismatched = PEMKeyPair(
      certificate: try CertificateAuthority.generate(commonName: "a").certificatePEM,
      key: try CertificateAuthority.generate(commonName: "b").privateKeyPEM)
    await #expect(throws: PKIError.self) { try await rotation.rotate(.init(clientCA: mismatched)) }
    await #expect(throws: PKIError.wrongToken) {
      try await CARotation(store: store, tokenSecret: "not-the-secret").rotate()
    }
    #expect(await store.loadBootstrap() == blob)
    #expect(await store.replaceBootstrap(Array("stale".utf8), with: Array("new".utf8)) == false)
    #expect(await store.loadBootstrap() == blob)
  }
}
