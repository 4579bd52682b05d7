import Foundation
import Testing

@testable import PKI

@Suite("Bootstrap data shared through the datastore")
struct BootstrapTests {
  func options(_ dir: TemporaryDirectory, token: String? = nil) -> ClusterPKI.Options {
    ClusterPKI.Options(dataDirectory: dir.path, hostname: "server", token: token)
  }

  @Test func sealedBlobOpensOnlyWithItsPassphrase() throws {
    let ca = try CertificateAuthority.generate(commonName: "ca")
    let data = BootstrapData(
      serverCA: .init(certificate: ca.certificatePEM, key: ca.privateKeyPEM),
      clientCA: .init(certificate: ca.certificatePEM, key: ca.privateKeyPEM), serviceAccountKey: "k",
      tokenSecret: "secret")
    let blob = try data.sealed(passphrase: "secret")
    let text = String(decoding: blob, as: UTF8.self)
    #expect(text.hasPrefix("v1:"))
    #expect(!text.contains("PRIVATE KEY"))
    #expect(try BootstrapData.open(blob, passphrase: "secret") == data)
    #expect(try data.sealed(passphrase: "secret") != blob, "fresh salt and nonce each time")
    #expect(throws: PKIError.wrongToken) { try BootstrapData.open(blob, passphrase: "other") }
    var flipped = blob
    flipped[flipped.count - 3] ^= 1
    #expect(throws: PKIError.self) { try BootstrapData.open(flipped, passphrase: "secret") }
    #expect(throws: PKIError.self) { try BootstrapData.open(Array("junk".utf8), passphrase: "secret") }
  }

  @Test func emptyDatastoreGetsTheNewClusterAndASecondServerLoadsIt() async throws {
    let store = MemoryBootstrapStore()
    let first = try TemporaryDirectory()
    let second = try TemporaryDirectory()
    defer {
      first.remove()
      second.remove()
    }
    let a = try await ClusterPKI.loadOrCreate(options(first), store: store)
    let stored = try #require(await store.loadBootstrap())
    #expect(
      try BootstrapData.open(stored, passphrase: a.token.secret).serverCA.certificate == a.serverCA.certificatePEM)

    let b = try await ClusterPKI.loadOrCreate(options(second, token: a.token.description), store: store)
    #expect(b.serverCA.certificatePEM == a.serverCA.certificatePEM)
    #expect(b.clientCA.certificatePEM == a.clientCA.certificatePEM)
    #expect(b.serverCA.privateKeyPEM == a.serverCA.privateKeyPEM)
    #expect(b.serviceAccountTokens.keyID == a.serviceAccountTokens.keyID)
    #expect(b.token == a.token)
    #expect(
      try String(contentsOfFile: b.paths.tokenFile, encoding: .utf8)
        == String(contentsOfFile: a.paths.tokenFile, encoding: .utf8))
    #expect(b.serving.certificatePEM != a.serving.certificatePEM, "each server has its own serving key")
    #expect(a.serverCA.issued(b.serving.certificate))
    // A token signed by one server verifies on the other.
    let (jwt, _) = try a.serviceAccountTokens.issue(
      .init(namespace: "default", serviceAccount: .init(name: "default", uid: "u1")))
    #expect(try b.serviceAccountTokens.verify(jwt).username == "system:serviceaccount:default:default")
    // The bare secret works as --token too.
    let third = try TemporaryDirectory()
    defer { third.remove() }
    let c = try await ClusterPKI.loadOrCreate(options(third, token: a.token.secret), store: store)
    #expect(c.serverCA.certificatePEM == a.serverCA.certificatePEM)
  }

  @Test func wrongTokenIsRefusedWithAClearMessage() async throws {
    let store = MemoryBootstrapStore()
    let first = try TemporaryDirectory()
    let second = try TemporaryDirectory()
    defer {
      first.remove()
      second.remove()
    }
    _ = try await ClusterPKI.loadOrCreate(options(first, token: "right-token"), store: store)
    do {
      _ = try await ClusterPKI.loadOrCreate(options(second, token: "wrong-token"), store: store)
      Issue.record("a wrong token was accepted")
    } catch let error as PKIError {
      #expect(error == .wrongToken)
      #expect(
        "\(error)"
          == "bootstrap data in the datastore was encrypted with a different token; start with the cluster's --token")
    }
    #expect(!FileManager.default.fileExists(atPath: TLSPaths(dataDirectory: second.path).serverCAKey))
    await #expect(throws: PKIError.tokenRequired) {
      try await ClusterPKI.loadOrCreate(options(second), store: store)
    }
  }

  @Test func tokenPinningAnotherCAIsRefused() async throws {
    let store = MemoryBootstrapStore()
    let first = try TemporaryDirectory()
    let second = try TemporaryDirectory()
    defer {
      first.remove()
      second.remove()
    }
    let a = try await ClusterPKI.loadOrCreate(options(first), store: store)
    let otherHash = String(repeating: "0", count: 64)
    let forged = "K10\(otherHash)::server:\(a.token.secret)"
    await #expect(
      throws: PKIError.caHashMismatch(expected: otherHash, actual: JoinToken.caHash(pem: a.serverCA.certificatePEM))
    ) {
      try await ClusterPKI.loadOrCreate(options(second, token: forged), store: store)
    }
  }

  @Test func userTokenKeysANewClusterInEveryForm() async throws {
    for token in ["plain-secret", "abcdef.0123456789abcdef"] {
      let dir = try TemporaryDirectory()
      defer { dir.remove() }
      let store = MemoryBootstrapStore()
      let pki = try await ClusterPKI.loadOrCreate(options(dir, token: token), store: store)
      #expect(pki.token.secret == token)
      let blob = try #require(await store.loadBootstrap())
      #expect(try BootstrapData.open(blob, passphrase: token).tokenSecret == token)
      // Restart without --token reads <data-dir>/server/token.
      let again = try await ClusterPKI.loadOrCreate(options(dir), store: store)
      #expect(again.serverCA.certificatePEM == pki.serverCA.certificatePEM)
    }
  }

  @Test func concurrentFirstStartsConvergeOnOneCA() async throws {
    let store = MemoryBootstrapStore()
    let dirs = try (0..<4).map { _ in try TemporaryDirectory() }
    defer { dirs.forEach { $0.remove() } }
    let results = try await withThrowingTaskGroup(of: ClusterPKI.self) { group in
      for dir in dirs {
        group.addTask { try await ClusterPKI.loadOrCreate(options(dir, token: "shared-token"), store: store) }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.count == 4)
    #expect(Set(results.map(\.serverCA.certificatePEM)).count == 1)
    #expect(Set(results.map(\.clientCA.certificatePEM)).count == 1)
    #expect(Set(results.map(\.serviceAccountTokens.keyID)).count == 1)
    for pki in results {
      #expect(try String(contentsOfFile: pki.paths.serverCACertificate, encoding: .utf8) == pki.serverCA.certificatePEM)
      #expect(pki.serverCA.issued(pki.serving.certificate))
      #expect(pki.clientCA.issued(pki.admin.certificate))
    }
  }

  @Test func localCAIsOfferedToAnEmptyDatastore() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let before = try await ClusterPKI.loadOrCreate(options(dir), store: MemoryBootstrapStore())
    let fresh = MemoryBootstrapStore()
    let after = try await ClusterPKI.loadOrCreate(options(dir), store: fresh)
    #expect(after.serverCA.certificatePEM == before.serverCA.certificatePEM)
    #expect(after.token == before.token)
    #expect(after.serviceAccountTokens.keyID == before.serviceAccountTokens.keyID)
    #expect(after.serving.certificatePEM == before.serving.certificatePEM)
    let blob = try #require(await fresh.loadBootstrap())
    #expect(try BootstrapData.open(blob, passphrase: before.token.secret).clientCA.key == before.clientCA.privateKeyPEM)
  }

  @Test func datastoreCAWinsOverALocalOneAndLeavesAreReissued() async throws {
    let store = MemoryBootstrapStore()
    let clusterDir = try TemporaryDirectory()
    let strayDir = try TemporaryDirectory()
    defer {
      clusterDir.remove()
      strayDir.remove()
    }
    let cluster = try await ClusterPKI.loadOrCreate(options(clusterDir, token: "t"), store: store)
    let stray = try await ClusterPKI.loadOrCreate(options(strayDir, token: "t"), store: MemoryBootstrapStore())
    #expect(stray.serverCA.certificatePEM != cluster.serverCA.certificatePEM)
    let joined = try await ClusterPKI.loadOrCreate(options(strayDir, token: "t"), store: store)
    #expect(joined.serverCA.certificatePEM == cluster.serverCA.certificatePEM)
    #expect(joined.serving.certificatePEM != stray.serving.certificatePEM)
    #expect(cluster.serverCA.issued(joined.serving.certificate))
    #expect(cluster.clientCA.issued(joined.admin.certificate))
    #expect(try String(contentsOfFile: joined.paths.clientCAKey, encoding: .utf8) == cluster.clientCA.privateKeyPEM)
  }
}
