import Foundation
import KubeAPI
import KubeClient
import X509

/// Who sent a kubelet API request.
struct KubeletUser: Sendable, Equatable {
  var name: String
  var uid = ""
  var groups: [String]
  var extra: [String: [String]] = [:]
}

/// Authentication and authorization as upstream's kubelet does them in webhook mode: a client
/// certificate the TLS layer verified against the client CA (user = CN, groups = O), or a
/// bearer token the API server vouches for (TokenReview); then a SubjectAccessReview on the
/// node's `nodes/<subresource>`. Answers are cached briefly so a busy exec or a scraper does not
/// cost a review per request.
final class KubeletAuth: Sendable {
  let client: KubeClient?
  let nodeName: String
  let allowedTTL: Duration
  let deniedTTL: Duration
  private let tokens = LockedBox<[String: (KubeletUser?, ContinuousClock.Instant)]>([:])
  private let decisions = LockedBox<[String: (Bool, ContinuousClock.Instant)]>([:])

  init(client: KubeClient?, nodeName: String, allowedTTL: Duration = .seconds(120), deniedTTL: Duration = .seconds(30))
  {
    self.client = client
    self.nodeName = nodeName
    self.allowedTTL = allowedTTL
    self.deniedTTL = deniedTTL
  }

  /// The request's user; anonymous requests are refused (401), as with `--anonymous-auth=false`.
  func authenticate(peerCertificateDER: [UInt8]?, authorization: String?) async throws(KubeletError) -> KubeletUser {
    if let der = peerCertificateDER, let user = Self.user(fromCertificate: der) { return user }
    guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
      throw KubeletError(.unauthorized, "Unauthorized")
    }
    let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    let now = ContinuousClock.now
    if let (user, expiry) = tokens.withLock({ $0[token] }), expiry > now {
      guard let user else { throw KubeletError(.unauthorized, "Unauthorized") }
      return user
    }
    let user = await review(token: token)
    tokens.withLock { cache in
      if cache.count > 4096 { cache = cache.filter { $0.value.1 > now } }
      cache[token] = (user, now + (user == nil ? .seconds(10) : allowedTTL))
    }
    guard let user else { throw KubeletError(.unauthorized, "Unauthorized") }
    return user
  }

  /// Refuses with 403 unless the API server allows `verb` on `nodes/<subresource>` of this node.
  func authorize(_ user: KubeletUser, verb: String, subresource: String) async throws(KubeletError) {
    let key = "\(user.name)\u{0}\(user.groups.joined(separator: ","))\u{0}\(verb)\u{0}\(subresource)"
    let now = ContinuousClock.now
    let allowed: Bool
    if let (cached, expiry) = decisions.withLock({ $0[key] }), expiry > now {
      allowed = cached
    } else {
      allowed = await review(user, verb: verb, subresource: subresource)
      decisions.withLock { cache in
        if cache.count > 4096 { cache = cache.filter { $0.value.1 > now } }
        cache[key] = (allowed, now + (allowed ? allowedTTL : deniedTTL))
      }
    }
    guard allowed else {
      throw KubeletError(
        .forbidden,
        "Forbidden (user=\(user.name), verb=\(verb), resource=nodes, subresource=\(subresource))")
    }
  }

  /// upstream's mapping of kubelet paths to `nodes` subresources.
  static func subresource(path: String) -> String {
    if path.hasPrefix("/stats") { return "stats" }
    if path.hasPrefix("/metrics") { return "metrics" }
    if path.hasPrefix("/logs") { return "log" }
    if path.hasPrefix("/spec") { return "spec" }
    return "proxy"
  }

  static func verb(method: String) -> String {
    switch method {
    case "POST": "create"
    case "PUT": "update"
    case "PATCH": "patch"
    case "DELETE": "delete"
    default: "get"
    }
  }

  static func user(fromCertificate der: [UInt8]) -> KubeletUser? {
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
    return KubeletUser(name: name, groups: groups + ["system:authenticated"])
  }

  private func review(token: String) async -> KubeletUser? {
    guard let client else { return nil }
    let body: JSONValue = [
      "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)],
    ]
    guard let bytes = try? body.serialized(),
      let answer = try? await client.call(
        KubeRequest(method: "POST", path: "/apis/authentication.k8s.io/v1/tokenreviews", body: bytes)),
      answer["status"]?["authenticated"] == .bool(true), let info = answer["status"]?["user"],
      let name = info["username"]?.stringValue
    else { return nil }
    var extra: [String: [String]] = [:]
    if case .object(let fields)? = info["extra"] {
      for (key, value) in fields { extra[key] = value.arrayValue?.compactMap(\.stringValue) ?? [] }
    }
    return KubeletUser(
      name: name, uid: info["uid"]?.stringValue ?? "",
      groups: info["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [], extra: extra)
  }

  private func review(_ user: KubeletUser, verb: String, subresource: String) async -> Bool {
    guard let client else { return false }
    var spec: [String: JSONValue] = [
      "user": .string(user.name), "groups": .array(user.groups.map(JSONValue.string)),
      "resourceAttributes": [
        "verb": .string(verb), "resource": "nodes", "subresource": .string(subresource), "name": .string(nodeName),
      ],
    ]
    if !user.uid.isEmpty { spec["uid"] = .string(user.uid) }
    if !user.extra.isEmpty { spec["extra"] = .object(user.extra.mapValues { .array($0.map(JSONValue.string)) }) }
    let body: JSONValue = [
      "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": .object(spec),
    ]
    guard let bytes = try? body.serialized(),
      let answer = try? await client.call(
        KubeRequest(method: "POST", path: "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: bytes))
    else { return false }
    return answer["status"]?["allowed"] == .bool(true)
  }
}
