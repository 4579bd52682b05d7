import PKI
import X509

/// Establishes who sent a request: a client certificate the TLS layer verified against the
/// client CA, a bootstrap token whose Secret is valid, or a service-account token whose account
/// (and bound pod or secret) still exists; otherwise anonymous, which only public paths accept.
struct Authenticator: Sendable {
  let tokens: ServiceAccountTokens?
  let state: APIState

  func authenticate(_ request: HTTPRequest) async throws(APIError) -> UserInfo {
    if let der = request.peerCertificateDER, let user = Authenticator.user(fromCertificate: der) {
      return user
    }
    if let header = request.headers.first(name: "authorization") {
      guard header.lowercased().hasPrefix("bearer "), let user = await user(fromToken: String(header.dropFirst(7)))
      else {
        throw APIError.unauthorized()
      }
      return user
    }
    if ["/healthz", "/livez", "/readyz", "/version"].contains(request.path)
      || (Discovery.isDiscoveryPath(request.path) && RequestTarget(path: request.path) == nil)
    {
      return .anonymous
    }
    throw APIError.unauthorized()
  }

  /// A bootstrap token (`<id>.<secret>`) whose Secret exists, or a service-account token.
  func user(fromToken token: String) async -> UserInfo? {
    if let parts = BootstrapToken.split(token) {
      let lookup = BootstrapTokenLookup(state: state)
      guard case .valid(let bootstrap) = await lookup.check(id: parts.id, secret: parts.secret)
      else { return nil }
      return UserInfo(name: bootstrap.userName, groups: bootstrap.groups + ["system:authenticated"])
    }
    return await user(fromServiceAccountToken: token)
  }

  /// A valid token for a service account that exists with the token's UID.
  func user(fromServiceAccountToken token: String) async -> UserInfo? {
    guard let tokens, let claims = try? tokens.verify(token) else { return nil }
    guard let accounts = state.registry.lookup(group: "", version: "v1", plural: "serviceaccounts") else { return nil }
    let cache = state.cache(for: accounts)
    await cache.waitUntilFresh(state.log.currentRevision)
    let account = cache.object(key: accounts.storageKey(namespace: claims.namespace, name: claims.serviceAccount.name))
    guard let account,
      claims.serviceAccount.uid.isEmpty || account.object["metadata"]?["uid"]?.stringValue == claims.serviceAccount.uid
    else { return nil }
    if let pod = claims.pod, let pods = state.registry.lookup(group: "", version: "v1", plural: "pods") {
      let found = state.cache(for: pods).object(key: pods.storageKey(namespace: claims.namespace, name: pod.name))
      guard found?.object["metadata"]?["uid"]?.stringValue == pod.uid else { return nil }
    }
    var extra: [String: [String]] = [:]
    if let pod = claims.pod {
      extra["authentication.kubernetes.io/pod-name"] = [pod.name]
      extra["authentication.kubernetes.io/pod-uid"] = [pod.uid]
    }
    return UserInfo(
      name: claims.username, uid: claims.serviceAccount.uid, groups: claims.groups + ["system:authenticated"],
      extra: extra)
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
