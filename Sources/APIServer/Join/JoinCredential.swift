import Foundation
import NIOHTTP1
import PKI

/// The credential a joining agent presents: the cluster token (`K10…::node:<secret>`, `node:<secret>`,
/// `server:<secret>` or the bare secret, as Bearer or Basic auth) or a bootstrap token (`<id>.<secret>`, Bearer).
enum JoinCredential: Sendable, Equatable {
  case password(user: String, password: String)
  case bootstrapToken(id: String, secret: String)

  /// Reads the Authorization header; nil when there is none or it has no usable shape.
  init?(authorization header: String) {
    let trimmed = header.trimmingCharacters(in: .whitespaces)
    let lower = trimmed.lowercased()
    if lower.hasPrefix("basic ") {
      guard let bytes = Data(base64Encoded: String(trimmed.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
        let text = String(data: bytes, encoding: .utf8), let colon = text.firstIndex(of: ":")
      else { return nil }
      self = .password(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
      return
    }
    guard lower.hasPrefix("bearer ") else { return nil }
    let value = String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    guard let token = try? JoinToken(parsing: value) else { return nil }
    switch token.credentials {
    case .bootstrapToken(let id, let secret):
      self = .bootstrapToken(id: id, secret: secret)
    case .password(let user, let password) where user.isEmpty:
      // "node:<secret>" without the K10 prefix parses as a bare password containing the user.
      if let colon = password.firstIndex(of: ":"), ["node", "server"].contains(String(password[..<colon])) {
        self = .password(
          user: String(password[..<colon]), password: String(password[password.index(after: colon)...]))
      } else {
        self = .password(user: "", password: password)
      }
    case .password(let user, let password):
      self = .password(user: user, password: password)
    }
  }
}

/// Who a join was authenticated as, recorded as the requester of the CSRs it creates.
struct JoinIdentity: Sendable, Equatable {
  var user: UserInfo
  /// For messages and logs: "the cluster token" or "bootstrap token abcdef".
  var credentialName: String

  /// The cluster token authenticates as a bootstrapper, like a kubeadm token: it may only join nodes.
  static let clusterToken = JoinIdentity(
    user: UserInfo(
      name: "system:bootstrap:skiff-cluster-token",
      groups: [BootstrapToken.group, "system:authenticated"]),
    credentialName: "the cluster token")

  static func bootstrap(_ token: BootstrapToken) -> JoinIdentity {
    JoinIdentity(
      user: UserInfo(name: token.userName, groups: token.groups + ["system:authenticated"]),
      credentialName: "bootstrap token \(token.id)")
  }
}
