import Foundation
import Testing

@testable import PKI

@Suite("Join tokens")
struct JoinTokenTests {
  let hash = String(repeating: "ab", count: 32)

  @Test func parsesTheFullServerForm() throws {
    let token = try JoinToken(parsing: "K10\(hash)::server:0123456789abcdef\n")
    #expect(token.caHash == hash)
    #expect(token.credentials == .password(user: "server", password: "0123456789abcdef"))
    #expect(token.secret == "0123456789abcdef")
    #expect(token.description == "K10\(hash)::server:0123456789abcdef")
  }

  @Test func parsesBarePasswordsAndBootstrapTokens() throws {
    let bare = try JoinToken(parsing: "my-secret")
    #expect(bare.caHash == nil)
    #expect(bare.credentials == .password(user: "", password: "my-secret"))
    #expect(bare.description == "my-secret")
    #expect(try JoinToken(parsing: "pass:with:colons").secret == "pass:with:colons")

    let bootstrap = try JoinToken(parsing: "abcdef.0123456789abcdef")
    #expect(bootstrap.credentials == .bootstrapToken(id: "abcdef", secret: "0123456789abcdef"))
    #expect(bootstrap.secret == "abcdef.0123456789abcdef")
    let pinnedBootstrap = try JoinToken(parsing: "K10\(hash)::abcdef.0123456789abcdef")
    #expect(pinnedBootstrap.caHash == hash)
    #expect(pinnedBootstrap.description == "K10\(hash)::abcdef.0123456789abcdef")
    // Upper case or wrong lengths are not bootstrap tokens: they are plain passwords.
    #expect(
      try JoinToken(parsing: "ABCDEF.0123456789abcdef").credentials
        == .password(user: "", password: "ABCDEF.0123456789abcdef"))
    #expect(try JoinToken(parsing: "K10::node:pw").caHash == nil)
  }

  @Test(arguments: [
    "", "K10abc::server:x", "K10\(String(repeating: "zz", count: 32))::server:x", "K10::server:", "K10::nocolon",
  ])
  func refusesMalformedTokens(text: String) {
    #expect(throws: PKIError.self) { try JoinToken(parsing: text) }
  }

  @Test func pinningABarePasswordMakesAServerToken() throws {
    let ca = try CertificateAuthority.generate(commonName: "ca")
    let pinned = try JoinToken(parsing: "pw").pinned(to: ca.certificatePEM)
    #expect(pinned.description == "K10\(JoinToken.caHash(pem: ca.certificatePEM))::server:pw")
    #expect(try JoinToken(parsing: pinned.description) == pinned)
  }

  @Test func generatedServerTokensAreRandomAndPinned() throws {
    let ca = try CertificateAuthority.generate(commonName: "ca")
    let first = JoinToken.generateServer(caPEM: ca.certificatePEM)
    let second = JoinToken.generateServer(caPEM: ca.certificatePEM)
    #expect(first.secret != second.secret)
    #expect(first.secret.count == 32 && first.secret.allSatisfy(\.isHexDigit))
    #expect(first.description.hasPrefix("K10\(JoinToken.caHash(pem: ca.certificatePEM))::server:"))
    try first.verify(caBundlePEM: ca.certificatePEM)
  }

  @Test(.enabled(if: opensslAvailable)) func caHashIsSHA256OfThePEMFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let ca = try CertificateAuthority.generate(commonName: "ca")
    let file = try dir.write("server-ca.crt", ca.certificatePEM)
    let digest = try run("sha256sum", [file]).output.split(separator: " ").first.map(String.init)
    #expect(JoinToken.caHash(pem: ca.certificatePEM) == digest)
  }

  @Test(.enabled(if: opensslAvailable)) func bundleHashIsSHA256OfTheRootDER() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let root = try CertificateAuthority.generate(commonName: "root")
    let other = try CertificateAuthority.generate(commonName: "other")
    let bundle = other.certificatePEM + "\n" + root.certificatePEM + "\n"
    let rootFile = try dir.write("root.crt", root.certificatePEM)
    let der = dir.file("root.der")
    #expect(try run("openssl", ["x509", "-in", rootFile, "-outform", "DER", "-out", der]).status == 0)
    let digest = try run("sha256sum", [der]).output.split(separator: " ").first.map(String.init)
    #expect(JoinToken.caHash(pem: bundle) == digest)
  }

  @Test func verifyRefusesAnotherCA() throws {
    let ca = try CertificateAuthority.generate(commonName: "ca")
    let impostor = try CertificateAuthority.generate(commonName: "ca")
    let token = JoinToken.generateServer(caPEM: ca.certificatePEM)
    #expect(
      throws: PKIError.caHashMismatch(
        expected: JoinToken.caHash(pem: ca.certificatePEM), actual: JoinToken.caHash(pem: impostor.certificatePEM))
    ) { try token.verify(caBundlePEM: impostor.certificatePEM) }
    // A short token pins nothing, as in K3s.
    try JoinToken(parsing: token.secret).verify(caBundlePEM: impostor.certificatePEM)
  }

  @Test func acceptsOnlyTheExactSecret() throws {
    let token = try JoinToken(parsing: "K10\(hash)::server:s3cret")
    #expect(token.accepts(password: "s3cret"))
    #expect(!token.accepts(password: "s3cre"))
    #expect(!token.accepts(password: "s3crett"))
    #expect(!token.accepts(password: ""))
  }
}
