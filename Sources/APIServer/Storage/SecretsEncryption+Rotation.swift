import Foundation
import KubeAPI
import Store

/// `skiff secrets-encrypt status|rotate-keys`: what is sealed with which key, and a one-step
/// rotation that K3s spreads over prepare/rotate/reencrypt commands.
extension SecretsEncryption {
  public static let statusPath = "/v1-skiff/secrets-encrypt/status"
  public static let rotatePath = "/v1-skiff/secrets-encrypt/rotate-keys"
  /// How Secrets are stored right now, read from the raw rows.
  public struct Status: Sendable, Equatable {
    public var enabled: Bool
    public var stage: String
    public var keys: [String]
    /// Secrets per sealing key name; plaintext ones under "identity".
    public var secrets: [String: Int]

    public var json: JSONValue {
      [
        "enabled": .bool(enabled), "stage": .string(stage), "keys": .array(keys.map { .string($0) }),
        "secrets": .object(secrets.mapValues { .int(Int64($0)) }),
      ]
    }
  }

  public func status() async throws -> Status {
    let keys = keySet
    var counts: [String: Int] = [:]
    for kv in try await rawSecrets() { counts[Self.keyName(of: kv.value) ?? "identity", default: 0] += 1 }
    return Status(enabled: keys.enabled, stage: keys.stage, keys: keys.keys.map(\.name), secrets: counts)
  }

  /// Adds a new key everywhere, makes it the sealing key, rewrites every Secret with it, then
  /// retires the old keys. `propagation` gives other servers (which follow the datastore) time
  /// to learn each step before the next relies on it.
  public func rotateKeys(propagation: Duration = .seconds(2)) async throws -> Status {
    guard keySet.enabled else {
      throw StoreError.invalid("secrets encryption is disabled on this server (--disable-secrets-encryption)")
    }
    let old = keySet.keys
    let fresh = Key.generate()
    try await publish(KeySet(keys: old + [fresh], stage: "prepare"))
    try await Task.sleep(for: propagation)
    try await publish(KeySet(keys: [fresh] + old, stage: "rotate"))
    // A server that had not seen "rotate" yet may still seal with an old key: rescan until none is left.
    var leftover = 0
    for _ in 0..<3 {
      leftover = try await reencrypt(with: fresh.name)
      if leftover == 0 { break }
      try await Task.sleep(for: propagation)
    }
    guard leftover == 0 else {
      throw StoreError.invalid("\(leftover) secrets kept changing during re-encryption; run rotate-keys again")
    }
    try await publish(KeySet(keys: [fresh], stage: "reencrypt_finished"))
    return try await status()
  }

  /// Rewrites every Secret not sealed with `name`; returns how many were left behind because
  /// they changed under us (the caller scans again).
  func reencrypt(with name: String) async throws -> Int {
    guard let log = persistence?.log else { return 0 }
    var raced = 0
    for kv in try await rawSecrets() where Self.keyName(of: kv.value) != name {
      let value = try seal(key: kv.key, value: try open(key: kv.key, value: kv.value))
      let result = try await log.txn(
        TxnRequest(
          compares: [Compare(range: .key(kv.key), target: .modRevision(kv.modRevision), result: .equal)],
          success: [.put(PutRequest(key: kv.key, value: value))]))
      if !result.succeeded { raced += 1 }
    }
    return raced
  }

  private func rawSecrets() async throws -> [KeyValue] {
    guard let log = persistence?.log else { return [] }
    return try await log.range(RangeRequest(range: .prefix(Self.resourcePrefix))).kvs
  }
}
