import Foundation
import Kubelet
import PKI
import Testing

/// The token forms agents are given, the bootstrap-token Secret format, and the node password hash.
@Suite struct JoinTokenTests {
  static let caPEM = try! CertificateAuthority.generate(commonName: "join-test-ca").certificatePEM

  @Test func fullTokensPinTheCAAndCarryTheCredential() throws {
    let hash = JoinToken.caHash(pem: Self.caPEM)
    let server = try JoinToken(parsing: "K10\(hash)::server:s3cret\n")
    #expect(server.caHash == hash && server.credentials == .password(user: "server", password: "s3cret"))
    try server.verify(caBundlePEM: Self.caPEM)
    let bootstrap = try JoinToken(parsing: "K10\(hash)::abcdef.0123456789abcdef")
    #expect(bootstrap.credentials == .bootstrapToken(id: "abcdef", secret: "0123456789abcdef"))
    #expect("\(bootstrap)" == "K10\(hash)::abcdef.0123456789abcdef")
    let other = try CertificateAuthority.generate(commonName: "other-ca").certificatePEM
    #expect(throws: PKIError.caHashMismatch(expected: hash, actual: JoinToken.caHash(pem: other))) {
      try server.verify(caBundlePEM: other)
    }
  }

  @Test func malformedTokensSayWhatIsWrong() {
    #expect(throws: PKIError.invalidToken("token must not be empty")) { try JoinToken(parsing: "  ") }
    #expect(throws: PKIError.invalidToken("the CA hash after K10 must be 64 hex digits")) {
      try JoinToken(parsing: "K10abc::server:x")
    }
    // A bootstrap-shaped token with uppercase or wrong lengths is not a bootstrap token.
    #expect(BootstrapToken.split("ABCDEF.0123456789abcdef") == nil)
    #expect(BootstrapToken.split("abcdef.0123456789abcde") == nil)
    #expect(BootstrapToken.split("abcdef.0123456789abcdef")?.id == "abcdef")
  }

  @Test func shortTokensTrustOnFirstUse() throws {
    let bare = try JoinToken(parsing: "just-a-password")
    #expect(bare.caHash == nil && bare.credentials == .password(user: "", password: "just-a-password"))
    try bare.verify(caBundlePEM: Self.caPEM)  // nothing pinned, nothing refused
    #expect(bare.accepts(password: "just-a-password") && !bare.accepts(password: "just-a-passwor"))
    #expect(!bare.accepts(password: "just-a-password!") && !bare.accepts(password: ""))
  }

  @Test func bootstrapTokenSecretsRoundTripAndExpire() throws {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let token = BootstrapToken.generate(ttl: 3600, description: "for edge-7", now: now)
    #expect(BootstrapToken.split(token.token) != nil)
    let parsed = try BootstrapToken(secretName: token.secretName, data: token.secretData)
    #expect(parsed == token)
    #expect(parsed.userName == "system:bootstrap:\(token.id)")
    #expect(parsed.groups == ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token"])
    #expect(parsed.authenticates(secret: token.secret, now: now))
    #expect(!parsed.authenticates(secret: String(token.secret.reversed()), now: now))
    #expect(!parsed.authenticates(secret: token.secret, now: now.addingTimeInterval(3600)))
    var signingOnly = token
    signingOnly.usages = ["signing"]
    #expect(!signingOnly.authenticates(secret: token.secret, now: now))
  }

  @Test func bootstrapTokenSecretsAreChecked() {
    #expect(throws: PKIError.self) {
      try BootstrapToken(secretName: "bootstrap-token-abcdef", data: ["token-id": "abcdef"])
    }
    #expect(throws: PKIError.self) {
      try BootstrapToken(
        secretName: "bootstrap-token-zzzzzz", data: ["token-id": "abcdef", "token-secret": "0123456789abcdef"])
    }
    #expect(throws: PKIError.self) {
      try BootstrapToken(
        secretName: "bootstrap-token-abcdef",
        data: ["token-id": "abcdef", "token-secret": "0123456789abcdef", "expiration": "tomorrow"])
    }
    #expect(throws: PKIError.self) {
      try BootstrapToken(
        secretName: "bootstrap-token-abcdef",
        data: ["token-id": "abcdef", "token-secret": "0123456789abcdef", "auth-extra-groups": "system:masters"])
    }
    #expect(BootstrapToken.isValidExtraGroup("system:bootstrappers:edge"))
    #expect(!BootstrapToken.isValidExtraGroup("system:bootstrappers:"))
  }

  @Test func nodePasswordHashesAreSaltedAndVerify() throws {
    let password = NodePassword.generate()
    #expect(password.count == 32)
    let first = try NodePassword.hash(password)
    let second = try NodePassword.hash(password)
    #expect(first != second)
    #expect(first.hasPrefix("$scrypt$N=16384,r=8,p=1$"))
    #expect(NodePassword.verify(password, hash: first) && NodePassword.verify(password, hash: second))
    #expect(!NodePassword.verify(NodePassword.generate(), hash: first))
    #expect(!NodePassword.verify(password, hash: "$scrypt$N=3,r=8,p=1$AAAA$AAAA"))
    #expect(!NodePassword.verify(password, hash: "plain"))
  }

  @Test func renewalHappensAfterTwoThirdsOfTheLifetime() throws {
    let ca = try CertificateAuthority.generate(commonName: "renewal-ca")
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let leaf = try ca.issue(
      subject: NodeJoin.subject(node: "n1"), usage: .client, validity: 900 - 300, now: now)
    // Backdated 5 minutes: notBefore = now-300, notAfter = now+600; two thirds of 900 s is 600 s.
    let policy = RenewalPolicy()
    #expect(policy.renewalDate(of: leaf.certificate) == now.addingTimeInterval(300))
  }

  @Test func agentPathsFollowK3sNames() {
    let paths = AgentPaths(dataDirectory: "/var/lib/skiff/")
    #expect(paths.directory == "/var/lib/skiff/agent")
    #expect(paths.kubeconfig == "/var/lib/skiff/agent/kubelet.kubeconfig")
    #expect(paths.clientCertificate == "/var/lib/skiff/agent/client-kubelet.crt")
    #expect(paths.servingKey == "/var/lib/skiff/agent/serving-kubelet.key")
    #expect(paths.nodePassword == "/var/lib/skiff/agent/node-password")
  }
}
