import Crypto
import Foundation
import Logging
import Store
import Synchronization

/// Encryption at rest for Secrets, on by default (K3s makes it opt-in): values under
/// `/registry/secrets/` are stored as `k8s:enc:aesgcm:v1:<key name>:<nonce|ciphertext|tag>`, the
/// layout of upstream's aesgcm provider, authenticated with the storage key so a value cannot be
/// moved to another object. The first key seals, every key opens; values written before
/// encryption was on stay readable as they are until rewritten.
public final class SecretsEncryption: Sendable {
  /// One AES-256 key with the name its ciphertexts carry.
  public struct Key: Codable, Sendable, Equatable {
    public var name: String
    /// 32 bytes, base64, as in an upstream EncryptionConfiguration.
    public var secret: String

    /// A fresh random key named after its creation time.
    public static func generate(now: Date = Date()) -> Key {
      let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
      return Key(name: "aesgcmkey-\(Int64(now.timeIntervalSince1970))", secret: bytes.base64EncodedString())
    }

    var symmetricKey: SymmetricKey? {
      guard let data = Data(base64Encoded: secret), data.count == 32 else { return nil }
      return SymmetricKey(data: data)
    }
  }

  /// The keys in use and how far a rotation got, as shared through the datastore.
  public struct KeySet: Codable, Sendable, Equatable {
    /// The first key seals new values.
    public var keys: [Key]
    /// K3s's rotation stage names: `start`, `prepare`, `rotate`, `reencrypt_finished`.
    public var stage: String
    /// New writes are sealed; when false, existing ciphertexts are still opened.
    public var enabled: Bool

    public init(keys: [Key], stage: String = "start", enabled: Bool = true) {
      self.keys = keys
      self.stage = stage
      self.enabled = enabled
    }
  }

  static let resourcePrefix = Array("/registry/secrets/".utf8)
  static let envelopePrefix = Array("k8s:enc:aesgcm:v1:".utf8)

  private let state: Mutex<KeySet>
  /// The datastore revision of the key set this server uses.
  private let revision = Mutex<Int64>(0)
  let logger: Logger
  /// Where the keys are kept; nil for a key set that lives only in memory.
  let persistence: Persistence?

  public convenience init(keys: KeySet, logger: Logger = Logger(label: "secrets-encryption")) {
    self.init(keys: keys, logger: logger, persistence: nil)
  }

  init(keys: KeySet, logger: Logger, persistence: Persistence?) {
    self.state = Mutex(keys)
    self.logger = logger
    self.persistence = persistence
  }

  public var keySet: KeySet { state.withLock { $0 } }

  func replace(_ keys: KeySet) { state.withLock { $0 = keys } }

  var storedRevision: Int64 { revision.withLock { $0 } }

  func noteRevision(_ stored: Int64) { revision.withLock { $0 = max($0, stored) } }

  static func applies(to key: [UInt8]) -> Bool { key.starts(with: resourcePrefix) }

  /// The name of the key that sealed `value`, nil for a plaintext value.
  static func keyName(of value: [UInt8]) -> String? {
    guard value.starts(with: envelopePrefix) else { return nil }
    let rest = value.dropFirst(envelopePrefix.count)
    guard let colon = rest.firstIndex(of: UInt8(ascii: ":")) else { return nil }
    return String(decoding: rest[..<colon], as: UTF8.self)
  }

  /// The stored form of `value` under `key`: sealed when it is a Secret and encryption is on.
  func seal(key: [UInt8], value: [UInt8]) throws -> [UInt8] {
    guard Self.applies(to: key) else { return value }
    let keys = keySet
    guard keys.enabled, let active = keys.keys.first else { return value }
    guard let symmetric = active.symmetricKey else {
      throw StoreError.invalid("secrets encryption key \(active.name) is not 32 bytes of base64")
    }
    let box = try AES.GCM.seal(value, using: symmetric, authenticating: key)
    guard let combined = box.combined else { throw StoreError.invalid("AES-GCM produced no output") }
    return Self.envelopePrefix + Array("\(active.name):".utf8) + Array(combined)
  }

  /// The plaintext of a stored value: opened with the key it names, or as is when not sealed.
  func open(key: [UInt8], value: [UInt8]) throws -> [UInt8] {
    guard Self.applies(to: key), let name = Self.keyName(of: value) else { return value }
    guard let symmetric = keySet.keys.first(where: { $0.name == name })?.symmetricKey else {
      throw StoreError.invalid(
        "secret \(String(decoding: key, as: UTF8.self)) is sealed with key \(name), which this server does not have")
    }
    let sealed = value.dropFirst(Self.envelopePrefix.count + name.utf8.count + 1)
    do {
      return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: symmetric, authenticating: key))
    } catch {
      throw StoreError.invalid("secret \(String(decoding: key, as: UTF8.self)) does not decrypt with key \(name)")
    }
  }

  /// `kv` with its value opened; nil (and an error in the log) when it cannot be.
  func readable(_ kv: KeyValue) -> KeyValue? {
    guard Self.applies(to: kv.key) else { return kv }
    do {
      var opened = kv
      opened.value = try open(key: kv.key, value: kv.value)
      return opened
    } catch {
      logger.error("cannot read stored secret", metadata: ["error": "\(error)"])
      return nil
    }
  }
}
