import Crypto
import Foundation
import Testing

@testable import PKI

@Suite("Service-account tokens")
struct ServiceAccountTokenTests {
  let tokens = ServiceAccountTokens(signingKey: P256.Signing.PrivateKey())
  let account = ServiceAccountClaims.Reference(name: "builder", uid: "5d6c1f0e-0000-4000-8000-000000000001")

  func payload(_ token: String) throws -> [String: Any] {
    let part = token.split(separator: ".")[1]
    let data = try #require(Base64URL.decode(part))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func boundTokenCarriesUpstreamClaims() throws {
    let now = Date(timeIntervalSince1970: 1_700_000_000.7)
    let pod = ServiceAccountClaims.Reference(name: "web-0", uid: "pod-uid")
    let (token, claims) = try tokens.issue(
      .init(namespace: "ci", serviceAccount: account, audiences: ["vault"], lifetime: 3600, pod: pod), now: now)
    let json = try payload(token)
    #expect(json["iss"] as? String == "https://kubernetes.default.svc.cluster.local")
    #expect(json["sub"] as? String == "system:serviceaccount:ci:builder")
    #expect(json["aud"] as? [String] == ["vault"])
    #expect(json["iat"] as? Int == 1_700_000_000)
    #expect(json["nbf"] as? Int == 1_700_000_000)
    #expect(json["exp"] as? Int == 1_700_003_600)
    #expect((json["jti"] as? String)?.count == 36)
    let kubernetes = try #require(json["kubernetes.io"] as? [String: Any])
    #expect(kubernetes["namespace"] as? String == "ci")
    #expect(kubernetes["serviceaccount"] as? [String: String] == ["name": "builder", "uid": account.uid])
    #expect(kubernetes["pod"] as? [String: String] == ["name": "web-0", "uid": "pod-uid"])
    #expect(kubernetes["secret"] == nil)

    let header = try #require(
      try JSONSerialization.jsonObject(with: Base64URL.decode(token.split(separator: ".")[0])!) as? [String: String])
    #expect(header == ["alg": "ES256", "kid": tokens.keyID])

    let verified = try tokens.verify(token, audiences: ["vault"], now: now.addingTimeInterval(10))
    #expect(verified == claims)
    #expect(verified.username == "system:serviceaccount:ci:builder")
    #expect(verified.groups == ["system:serviceaccounts", "system:serviceaccounts:ci"])
    #expect(verified.pod == pod)
    #expect(!verified.isLegacy)
  }

  @Test func defaultAudienceIsTheIssuer() throws {
    let (token, claims) = try tokens.issue(.init(namespace: "default", serviceAccount: account))
    #expect(claims.audiences == [ServiceAccountTokens.defaultIssuer])
    #expect(try tokens.verify(token).audiences == [ServiceAccountTokens.defaultIssuer])
  }

  @Test func refusesExpiredAndFutureTokens() throws {
    let now = Date()
    let (token, _) = try tokens.issue(
      .init(namespace: "default", serviceAccount: account, lifetime: 600), now: now)
    #expect(throws: PKIError.invalidServiceAccountToken(.expired)) {
      try tokens.verify(token, now: now.addingTimeInterval(600 + 61))
    }
    _ = try tokens.verify(token, now: now.addingTimeInterval(600 + 30))  // within upstream's 60 s leeway
    #expect(throws: PKIError.invalidServiceAccountToken(.notYetValid)) {
      try tokens.verify(token, now: now.addingTimeInterval(-120))
    }
  }

  @Test func refusesTamperingAndForeignKeys() throws {
    let (token, _) = try tokens.issue(.init(namespace: "default", serviceAccount: account))
    var parts = token.split(separator: ".").map(String.init)
    var json = try payload(token)
    json["sub"] = "system:serviceaccount:kube-system:admin"
    parts[1] = Base64URL.encode(try JSONSerialization.data(withJSONObject: json))
    #expect(throws: PKIError.invalidServiceAccountToken(.badSignature)) {
      try tokens.verify(parts.joined(separator: "."))
    }
    let other = ServiceAccountTokens(signingKey: P256.Signing.PrivateKey())
    #expect(throws: PKIError.invalidServiceAccountToken(.badSignature)) { try other.verify(token) }
    #expect(throws: PKIError.invalidServiceAccountToken(.malformed("a JWT has three dot-separated parts"))) {
      try tokens.verify("not-a-jwt")
    }
    let none = Base64URL.encode(Data(#"{"alg":"none"}"#.utf8))
    #expect(throws: PKIError.invalidServiceAccountToken(.unsupportedAlgorithm("none"))) {
      try tokens.verify("\(none).\(parts[1]).")
    }
  }

  @Test func refusesWrongAudienceAndIssuer() throws {
    let (token, _) = try tokens.issue(.init(namespace: "default", serviceAccount: account, audiences: ["vault"]))
    #expect(throws: PKIError.invalidServiceAccountToken(.wrongAudience(["vault"]))) {
      try tokens.verify(token, audiences: ["https://kubernetes.default.svc.cluster.local"])
    }
    let elsewhere = ServiceAccountTokens(signingKey: tokens.signingKey, issuer: "https://other.example")
    let (foreign, _) = try elsewhere.issue(.init(namespace: "default", serviceAccount: account))
    #expect(throws: PKIError.invalidServiceAccountToken(.wrongIssuer("https://other.example"))) {
      try tokens.verify(foreign)
    }
  }

  @Test func legacyTokensVerifyWithoutExpiryOrAudience() throws {
    let token = try tokens.issueLegacy(namespace: "default", serviceAccount: account, secretName: "builder-token-x")
    let json = try payload(token)
    #expect(json["iss"] as? String == "kubernetes/serviceaccount")
    #expect(json["kubernetes.io/serviceaccount/namespace"] as? String == "default")
    #expect(json["kubernetes.io/serviceaccount/secret.name"] as? String == "builder-token-x")
    #expect(json["kubernetes.io/serviceaccount/service-account.name"] as? String == "builder")
    #expect(json["kubernetes.io/serviceaccount/service-account.uid"] as? String == account.uid)
    #expect(json["exp"] == nil && json["aud"] == nil)
    let claims = try tokens.verify(token, audiences: ["anything"], now: Date().addingTimeInterval(10 * 365 * 86400))
    #expect(claims.isLegacy)
    #expect(claims.secret?.name == "builder-token-x")
    #expect(claims.username == "system:serviceaccount:default:builder")
  }

  @Test func jwksDescribesTheSigningKey() throws {
    let jwks = try #require(
      try JSONSerialization.jsonObject(with: Data(tokens.jwksJSON.utf8)) as? [String: [[String: String]]])
    let key = try #require(jwks["keys"]?.first)
    #expect(key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256" && key["use"] == "sig")
    #expect(key["kid"] == tokens.keyID)
    let x = try #require(Base64URL.decode(key["x"]!))
    let y = try #require(Base64URL.decode(key["y"]!))
    let rebuilt = try P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
    #expect(rebuilt.derRepresentation == tokens.signingKey.publicKey.derRepresentation)
    #expect(
      try P256.Signing.PublicKey(pemRepresentation: tokens.publicKeyPEM).rawRepresentation == rebuilt.rawRepresentation)
    let discovery = tokens.openIDConfigurationJSON(jwksURI: "https://127.0.0.1:6443/openid/v1/jwks")
    let document = try #require(try JSONSerialization.jsonObject(with: Data(discovery.utf8)) as? [String: Any])
    #expect(document["issuer"] as? String == ServiceAccountTokens.defaultIssuer)
    #expect(document["jwks_uri"] as? String == "https://127.0.0.1:6443/openid/v1/jwks")
  }

  @Test(.enabled(if: opensslAvailable)) func opensslVerifiesTheSignatureAndKeyID() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (token, _) = try tokens.issue(.init(namespace: "default", serviceAccount: account))
    let parts = token.split(separator: ".")
    let input = try dir.write("input", "\(parts[0]).\(parts[1])")
    let raw = try #require(Base64URL.decode(parts[2]))
    let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
    let signature = dir.file("sig.der")
    try der.write(to: URL(fileURLWithPath: signature))
    let publicKey = try dir.write("pub.pem", tokens.publicKeyPEM)
    let verified = try run("openssl", ["dgst", "-sha256", "-verify", publicKey, "-signature", signature, input])
    #expect(verified.status == 0 && verified.output.contains("Verified OK"), "\(verified.output)")

    let spki = dir.file("pub.der")
    #expect(try run("openssl", ["pkey", "-pubin", "-in", publicKey, "-outform", "DER", "-out", spki]).status == 0)
    let digest = try run("openssl", ["dgst", "-sha256", "-binary", "-out", dir.file("kid.bin"), spki])
    #expect(digest.status == 0)
    let kid = Base64URL.encode(try Data(contentsOf: URL(fileURLWithPath: dir.file("kid.bin"))))
    #expect(kid == tokens.keyID)
  }
}
