import Foundation

/// What a verified service-account token says; the API server still checks that the bound objects exist
/// with these UIDs (and, for legacy tokens, that the secret still exists).
public struct ServiceAccountClaims: Sendable, Equatable {
  /// A named object with its UID, as in the `kubernetes.io` claim.
  public struct Reference: Sendable, Equatable, Codable {
    public var name: String
    public var uid: String
    public init(name: String, uid: String) {
      self.name = name
      self.uid = uid
    }
  }

  public var issuer: String
  public var subject: String
  public var audiences: [String]
  public var issuedAt: Date?
  public var notBefore: Date?
  public var expiresAt: Date?
  /// `jti`, a random ID per bound token (the credential ID in audit logs).
  public var tokenID: String?
  public var namespace: String
  public var serviceAccount: Reference
  public var pod: Reference?
  public var secret: Reference?
  public var node: Reference?
  /// A token from a service-account-token Secret: no expiry, no audience, issuer `kubernetes/serviceaccount`.
  public var isLegacy: Bool

  /// `system:serviceaccount:<namespace>:<name>`.
  public var username: String { "system:serviceaccount:\(namespace):\(serviceAccount.name)" }
  /// The groups every service account belongs to.
  public var groups: [String] { ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"] }
}

/// JWT payload as upstream writes it: registered claims plus the private `kubernetes.io` object (bound tokens)
/// or the flat `kubernetes.io/serviceaccount/...` claims (legacy tokens).
struct JWTPayload: Codable {
  struct Kubernetes: Codable {
    var namespace: String
    var serviceaccount: ServiceAccountClaims.Reference
    var pod: ServiceAccountClaims.Reference?
    var secret: ServiceAccountClaims.Reference?
    var node: ServiceAccountClaims.Reference?
  }

  var iss: String
  var sub: String
  var aud: [String]?
  var exp: Int64?
  var iat: Int64?
  var nbf: Int64?
  var jti: String?
  var kubernetes: Kubernetes?
  var legacyNamespace: String?
  var legacySecretName: String?
  var legacyName: String?
  var legacyUID: String?

  enum CodingKeys: String, CodingKey {
    case iss, sub, aud, exp, iat, nbf, jti
    case kubernetes = "kubernetes.io"
    case legacyNamespace = "kubernetes.io/serviceaccount/namespace"
    case legacySecretName = "kubernetes.io/serviceaccount/secret.name"
    case legacyName = "kubernetes.io/serviceaccount/service-account.name"
    case legacyUID = "kubernetes.io/serviceaccount/service-account.uid"
  }

  init(_ claims: ServiceAccountClaims) {
    iss = claims.issuer
    sub = claims.subject
    aud = claims.isLegacy ? nil : claims.audiences
    exp = claims.expiresAt.map { Int64($0.timeIntervalSince1970) }
    iat = claims.issuedAt.map { Int64($0.timeIntervalSince1970) }
    nbf = claims.notBefore.map { Int64($0.timeIntervalSince1970) }
    jti = claims.tokenID
    if claims.isLegacy {
      legacyNamespace = claims.namespace
      legacySecretName = claims.secret?.name
      legacyName = claims.serviceAccount.name
      legacyUID = claims.serviceAccount.uid
    } else {
      kubernetes = Kubernetes(
        namespace: claims.namespace, serviceaccount: claims.serviceAccount, pod: claims.pod, secret: claims.secret,
        node: claims.node)
    }
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    iss = try container.decode(String.self, forKey: .iss)
    sub = try container.decode(String.self, forKey: .sub)
    // RFC 7519 allows a single string where a list is expected.
    if let single = try? container.decodeIfPresent(String.self, forKey: .aud) {
      aud = [single]
    } else {
      aud = try container.decodeIfPresent([String].self, forKey: .aud)
    }
    exp = try container.decodeIfPresent(Int64.self, forKey: .exp)
    iat = try container.decodeIfPresent(Int64.self, forKey: .iat)
    nbf = try container.decodeIfPresent(Int64.self, forKey: .nbf)
    jti = try container.decodeIfPresent(String.self, forKey: .jti)
    kubernetes = try container.decodeIfPresent(Kubernetes.self, forKey: .kubernetes)
    legacyNamespace = try container.decodeIfPresent(String.self, forKey: .legacyNamespace)
    legacySecretName = try container.decodeIfPresent(String.self, forKey: .legacySecretName)
    legacyName = try container.decodeIfPresent(String.self, forKey: .legacyName)
    legacyUID = try container.decodeIfPresent(String.self, forKey: .legacyUID)
  }

  /// The claims, or nil when the Kubernetes part is missing or disagrees with `sub`.
  var claims: ServiceAccountClaims? {
    let isLegacy = kubernetes == nil
    let namespace: String
    let serviceAccount: ServiceAccountClaims.Reference
    var secret: ServiceAccountClaims.Reference?
    if let kubernetes {
      namespace = kubernetes.namespace
      serviceAccount = kubernetes.serviceaccount
      secret = kubernetes.secret
    } else {
      guard let legacyNamespace, let legacyName else { return nil }
      namespace = legacyNamespace
      serviceAccount = .init(name: legacyName, uid: legacyUID ?? "")
      secret = legacySecretName.map { .init(name: $0, uid: "") }
    }
    let result = ServiceAccountClaims(
      issuer: iss, subject: sub, audiences: aud ?? [], issuedAt: iat.map(Self.date), notBefore: nbf.map(Self.date),
      expiresAt: exp.map(Self.date), tokenID: jti, namespace: namespace, serviceAccount: serviceAccount,
      pod: kubernetes?.pod, secret: secret, node: kubernetes?.node, isLegacy: isLegacy)
    guard result.username == sub else { return nil }
    return result
  }

  private static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}
