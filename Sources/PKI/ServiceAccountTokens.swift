import Crypto
import Foundation

/// Signs and verifies service-account JWTs (ES256) with the cluster's shared service-account key.
public struct ServiceAccountTokens: Sendable {
  /// The `--service-account-issuer` upstream and K3s default to.
  public static let defaultIssuer = "https://kubernetes.default.svc.cluster.local"
  /// The issuer of tokens stored in service-account-token Secrets.
  public static let legacyIssuer = "kubernetes/serviceaccount"
  /// Clock skew tolerated on `exp` and `nbf`, as go-jose's default leeway that upstream relies on.
  public static let leeway: TimeInterval = 60

  let signingKey: P256.Signing.PrivateKey
  public let issuer: String
  /// base64url(SHA-256(DER public key)), as upstream derives `kid`.
  public let keyID: String

  public init(signingKey: P256.Signing.PrivateKey, issuer: String = defaultIssuer) {
    self.signingKey = signingKey
    self.issuer = issuer
    keyID = Base64URL.encode(Array(SHA256.hash(data: signingKey.publicKey.derRepresentation)))
  }

  /// Loads the key from PEM (SEC1 or PKCS#8); `name` appears in errors.
  public init(signingKeyPEM: String, issuer: String = defaultIssuer, name: String = "service-account key") throws {
    do {
      self.init(signingKey: try P256.Signing.PrivateKey(pemRepresentation: signingKeyPEM), issuer: issuer)
    } catch {
      throw PKIError.malformed(what: name, reason: "expected an ECDSA P-256 private key (\(error))")
    }
  }

  /// What a TokenRequest (or the kubelet's projected volume) asks for.
  public struct BoundTokenRequest: Sendable {
    public var namespace: String
    public var serviceAccount: ServiceAccountClaims.Reference
    /// Empty means the issuer itself, as upstream's API audiences default.
    public var audiences: [String]
    public var lifetime: TimeInterval
    public var pod: ServiceAccountClaims.Reference?
    public var secret: ServiceAccountClaims.Reference?
    public var node: ServiceAccountClaims.Reference?

    public init(
      namespace: String, serviceAccount: ServiceAccountClaims.Reference, audiences: [String] = [],
      lifetime: TimeInterval = 3600, pod: ServiceAccountClaims.Reference? = nil,
      secret: ServiceAccountClaims.Reference? = nil, node: ServiceAccountClaims.Reference? = nil
    ) {
      self.namespace = namespace
      self.serviceAccount = serviceAccount
      self.audiences = audiences
      self.lifetime = lifetime
      self.pod = pod
      self.secret = secret
      self.node = node
    }
  }

  /// A bound token; the claims are returned so TokenRequest can report `expirationTimestamp`.
  public func issue(_ request: BoundTokenRequest, now: Date = Date()) throws -> (
    token: String, claims: ServiceAccountClaims
  ) {
    let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    let claims = ServiceAccountClaims(
      issuer: issuer, subject: "system:serviceaccount:\(request.namespace):\(request.serviceAccount.name)",
      audiences: request.audiences.isEmpty ? [issuer] : request.audiences, issuedAt: issued, notBefore: issued,
      expiresAt: issued.addingTimeInterval(request.lifetime.rounded(.down)), tokenID: UUID().uuidString.lowercased(),
      namespace: request.namespace, serviceAccount: request.serviceAccount, pod: request.pod, secret: request.secret,
      node: request.node, isLegacy: false)
    return (try sign(JWTPayload(claims)), claims)
  }

  /// A legacy token for a `kubernetes.io/service-account-token` Secret: never expires, valid while the Secret exists.
  public func issueLegacy(namespace: String, serviceAccount: ServiceAccountClaims.Reference, secretName: String)
    throws -> String
  {
    let claims = ServiceAccountClaims(
      issuer: Self.legacyIssuer, subject: "system:serviceaccount:\(namespace):\(serviceAccount.name)", audiences: [],
      issuedAt: nil, notBefore: nil, expiresAt: nil, tokenID: nil, namespace: namespace,
      serviceAccount: serviceAccount, pod: nil, secret: .init(name: secretName, uid: ""), node: nil, isLegacy: true)
    return try sign(JWTPayload(claims))
  }

  /// Checks signature, issuer, time window and (for bound tokens) audience; the error names the failed check.
  /// `audiences` are the server's API audiences (empty means the issuer).
  public func verify(_ token: String, audiences: [String] = [], now: Date = Date()) throws -> ServiceAccountClaims {
    func refuse(_ failure: PKIError.TokenFailure) -> PKIError { .invalidServiceAccountToken(failure) }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw refuse(.malformed("a JWT has three dot-separated parts")) }
    guard let headerData = Base64URL.decode(parts[0]),
      let header = try? JSONDecoder().decode(JWTHeader.self, from: headerData)
    else { throw refuse(.malformed("header is not base64url JSON")) }
    guard header.alg == "ES256" else { throw refuse(.unsupportedAlgorithm(header.alg)) }
    guard let signatureBytes = Base64URL.decode(parts[2]),
      let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureBytes),
      signingKey.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
    else { throw refuse(.badSignature) }
    guard let payloadData = Base64URL.decode(parts[1]),
      let payload = try? JSONDecoder().decode(JWTPayload.self, from: payloadData)
    else { throw refuse(.malformed("payload is not base64url JSON with iss and sub")) }
    guard let claims = payload.claims else {
      throw refuse(.malformed("missing the kubernetes.io service-account claims, or sub disagrees with them"))
    }
    if claims.isLegacy {
      guard claims.issuer == Self.legacyIssuer else { throw refuse(.wrongIssuer(claims.issuer)) }
      return claims
    }
    guard claims.issuer == issuer else { throw refuse(.wrongIssuer(claims.issuer)) }
    guard let expiresAt = claims.expiresAt else { throw refuse(.malformed("bound token without exp")) }
    if now.timeIntervalSince(expiresAt) > Self.leeway { throw refuse(.expired) }
    if let notBefore = claims.notBefore, notBefore.timeIntervalSince(now) > Self.leeway {
      throw refuse(.notYetValid)
    }
    let accepted = audiences.isEmpty ? [issuer] : audiences
    guard claims.audiences.contains(where: accepted.contains) else { throw refuse(.wrongAudience(claims.audiences)) }
    return claims
  }

  /// The public key as PEM (SubjectPublicKeyInfo), for `--service-account-key-file`-style consumers.
  public var publicKeyPEM: String { signingKey.publicKey.pemRepresentation }

  /// The key set served at `/openid/v1/jwks`.
  public var jwksJSON: String {
    let point = Array(signingKey.publicKey.x963Representation)  // 0x04 | X | Y
    let x = Base64URL.encode(point[1..<33])
    let y = Base64URL.encode(point[33..<65])
    return """
      {"keys":[{"use":"sig","kty":"EC","kid":"\(keyID)","crv":"P-256","alg":"ES256","x":"\(x)","y":"\(y)"}]}
      """
  }

  /// The discovery document served at `/.well-known/openid-configuration`.
  public func openIDConfigurationJSON(jwksURI: String) -> String {
    """
    {"issuer":"\(issuer)","jwks_uri":"\(jwksURI)","response_types_supported":["id_token"],\
    "subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256"]}
    """
  }

  private func sign(_ payload: JWTPayload) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let header = try encoder.encode(JWTHeader(alg: "ES256", kid: keyID))
    let body = try encoder.encode(payload)
    let signingInput = "\(Base64URL.encode(header)).\(Base64URL.encode(body))"
    let signature = try signingKey.signature(for: Data(signingInput.utf8))
    return "\(signingInput).\(Base64URL.encode(signature.rawRepresentation))"
  }
}

struct JWTHeader: Codable {
  var alg: String
  var kid: String?
}
