import X509

/// Establishes who sent a request: a client certificate the TLS layer verified against the
/// client CA, or a bearer token; otherwise anonymous, which only public paths accept.
struct Authenticator: Sendable {
  /// Checks a bearer token; nil when the token is not valid.
  var verifyToken: @Sendable (String) -> UserInfo? = { _ in nil }

  func authenticate(_ request: HTTPRequest) throws(APIError) -> UserInfo {
    if let der = request.peerCertificateDER, let user = Authenticator.user(fromCertificate: der) {
      return user
    }
    if let header = request.headers.first(name: "authorization") {
      guard header.lowercased().hasPrefix("bearer "), var user = verifyToken(String(header.dropFirst(7))) else {
        throw APIError.unauthorized()
      }
      if !user.groups.contains("system:authenticated") { user.groups.append("system:authenticated") }
      return user
    }
    if ["/healthz", "/livez", "/readyz", "/version"].contains(request.path) || Discovery.isDiscoveryPath(request.path)
      && RequestTarget(path: request.path) == nil
    {
      return .anonymous
    }
    throw APIError.unauthorized()
  }

  /// user = CN, groups = O, as upstream's x509 authenticator maps a certificate.
  static func user(fromCertificate der: [UInt8]) -> UserInfo? {
    guard let certificate = try? Certificate(derEncoded: der) else { return nil }
    var name = ""
    var groups: [String] = []
    for rdn in certificate.subject {
      for attribute in rdn {
        if attribute.type == .RDNAttributeType.commonName { name = "\(attribute.value)" }
        if attribute.type == .RDNAttributeType.organizationName { groups.append("\(attribute.value)") }
      }
    }
    guard !name.isEmpty else { return nil }
    return UserInfo(name: name, groups: groups + ["system:authenticated"])
  }
}
