import Foundation
import KubeAPI
import PKI

/// Finds bootstrap tokens in their Secrets (`kube-system/bootstrap-token-<id>`) through the watch cache, so
/// deleting the Secret revokes the token at once.
struct BootstrapTokenLookup: Sendable {
  let state: APIState

  enum Outcome: Sendable, Equatable {
    case valid(BootstrapToken)
    /// Why the token was refused, for the 401 message (never the secret itself).
    case refused(String)
  }

  /// Checks `<id>.<secret>` against its Secret: right type, matching secret, unexpired, authentication usage.
  func check(id: String, secret: String, now: Date = Date()) async -> Outcome {
    guard let secrets = state.registry.lookup(group: "", version: "v1", plural: "secrets") else {
      return .refused("secrets are not served")
    }
    let cache = state.cache(for: secrets)
    await cache.waitUntilFresh(state.log.currentRevision)
    let name = BootstrapToken.secretPrefix + id
    guard let object = cache.object(key: secrets.storageKey(namespace: BootstrapToken.namespace, name: name))?.object,
      object["metadata"]?["deletionTimestamp"] == nil
    else { return .refused("bootstrap token \(id) does not exist (no secret kube-system/\(name))") }
    guard object["type"]?.stringValue == BootstrapToken.secretType else {
      return .refused("secret kube-system/\(name) is not of type \(BootstrapToken.secretType)")
    }
    let token: BootstrapToken
    do {
      token = try BootstrapToken(secretName: name, data: Self.decodedData(object))
    } catch {
      return .refused("\(error)")
    }
    if token.isExpired(now: now) { return .refused("bootstrap token \(id) expired at \(token.expiration!)") }
    guard token.usages.contains("authentication") else {
      return .refused("bootstrap token \(id) is not marked usage-bootstrap-authentication")
    }
    guard token.authenticates(secret: secret, now: now) else {
      return .refused("wrong secret for bootstrap token \(id)")
    }
    return .valid(token)
  }

  /// A Secret's `data`, base64-decoded; undecodable values are dropped.
  static func decodedData(_ secret: JSONValue) -> [String: String] {
    var data: [String: String] = [:]
    for (key, value) in secret["data"]?.objectValue ?? [:] {
      guard let text = value.stringValue, let bytes = Data(base64Encoded: text) else { continue }
      data[key] = String(decoding: bytes, as: UTF8.self)
    }
    return data
  }
}
