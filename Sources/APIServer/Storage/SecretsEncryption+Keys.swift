import Foundation
import KubeAPI
import Logging
import PKI
import Store

/// Where the key set lives: in the datastore sealed with the token secret, so every server of
/// an HA cluster (and nothing else) can read it, and mirrored for the operator as an upstream
/// EncryptionConfiguration in `server/cred/encryption-config.json` (0600).
extension SecretsEncryption {
  /// The datastore key, outside `/registry/` like the PKI bootstrap blob.
  public static let datastoreKey = Array("/bootstrap/skiff-encryption".utf8)

  struct Persistence: Sendable {
    let log: RevisionLog
    let passphrase: String
    let file: String
  }

  /// The cluster's keys from the datastore; on first start from the local mirror or a new key,
  /// offered to the datastore (when servers race, the first stored set wins).
  public static func load(
    log: RevisionLog, passphrase: String, file: String, enabled: Bool, logger: Logger
  ) async throws -> SecretsEncryption {
    let persistence = Persistence(log: log, passphrase: passphrase, file: file)
    var (keys, revision) = try await persistence.read() ?? (nil, 0)
    if keys == nil {
      let initial = KeySet(keys: (try? mirrored(file)) ?? [Key.generate()])
      let result = try await log.txn(
        TxnRequest(
          compares: [Compare(range: .key(datastoreKey), target: .createRevision(0), result: .equal)],
          success: [.put(PutRequest(key: datastoreKey, value: try persistence.sealed(initial)))]))
      if result.succeeded {
        (keys, revision) = (initial, result.revision)
        logger.info("secrets encryption key created", metadata: ["key": "\(initial.keys[0].name)"])
      } else {
        (keys, revision) = try await persistence.read() ?? (initial, 0)
      }
    }
    var set = keys ?? KeySet(keys: [])
    set.enabled = enabled
    let encryption = SecretsEncryption(keys: set, logger: logger, persistence: persistence)
    encryption.noteRevision(revision)
    try persistence.mirror(set)
    return encryption
  }

  /// Follows the datastore so that a rotation started on another server reaches this one.
  func follow() async {
    guard let persistence else { return }
    while !Task.isCancelled {
      do {
        // Read, then watch from the revision of that read, as a watch cache does: a watch from
        // the key set's own, older revision read the whole log since then at every start.
        let read = try await persistence.log.range(RangeRequest(range: .key(Self.datastoreKey)))
        if let kv = read.kvs.first, kv.modRevision > storedRevision {
          adopt(try persistence.decode(kv.value), revision: kv.modRevision)
        }
        var cursor = try persistence.log.watch(.key(Self.datastoreKey), from: read.revision + 1)
        while !Task.isCancelled {
          for event in try await cursor.next() where event.kind == .put {
            adopt(try persistence.decode(event.kv.value), revision: event.kv.modRevision)
          }
        }
      } catch is CancellationError {
        return
      } catch {
        if Task.isCancelled { return }
        logger.warning("following the secrets encryption keys", metadata: ["error": "\(error)"])
        try? await Task.sleep(for: .seconds(1))
      }
    }
  }

  /// Stores `keys` if nobody changed the set since this server last saw it, then uses them.
  func publish(_ keys: KeySet) async throws {
    guard let persistence else { throw StoreError.invalid("secrets encryption keys are not stored") }
    let result = try await persistence.log.txn(
      TxnRequest(
        compares: [Compare(range: .key(Self.datastoreKey), target: .modRevision(storedRevision), result: .equal)],
        success: [.put(PutRequest(key: Self.datastoreKey, value: try persistence.sealed(keys)))]))
    guard result.succeeded else {
      throw StoreError.invalid("another server changed the secrets encryption keys at the same time; retry")
    }
    adopt(keys, revision: result.revision)
  }

  /// Takes a stored key set, keeping this server's own enabled setting.
  private func adopt(_ stored: KeySet, revision: Int64) {
    var keys = stored
    keys.enabled = keySet.enabled
    replace(keys)
    noteRevision(revision)
    do { try persistence?.mirror(keys) } catch {
      logger.warning("cannot write the encryption config mirror", metadata: ["error": "\(error)"])
    }
  }

  /// Keys from an EncryptionConfiguration file's aesgcm provider.
  static func mirrored(_ file: String) throws -> [Key]? {
    let config = try JSONValue.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
    let providers = config["resources"]?.arrayValue?.first?["providers"]?.arrayValue ?? []
    let keys = providers.compactMap { $0["aesgcm"]?["keys"]?.arrayValue }.first ?? []
    let parsed = keys.compactMap { key -> Key? in
      guard let name = key["name"]?.stringValue, let secret = key["secret"]?.stringValue else { return nil }
      return Key(name: name, secret: secret)
    }
    return parsed.isEmpty ? nil : parsed
  }
}

extension SecretsEncryption.Persistence {
  func read() async throws -> (SecretsEncryption.KeySet?, Int64)? {
    guard let kv = try await log.range(RangeRequest(range: .key(SecretsEncryption.datastoreKey))).kvs.first else {
      return nil
    }
    return (try decode(kv.value), kv.modRevision)
  }

  func sealed(_ keys: SecretsEncryption.KeySet) throws -> [UInt8] {
    var stored = keys
    stored.enabled = true
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try SealedBlob.seal(Array(try encoder.encode(stored)), passphrase: passphrase)
  }

  func decode(_ blob: [UInt8]) throws -> SecretsEncryption.KeySet {
    try JSONDecoder().decode(
      SecretsEncryption.KeySet.self, from: Data(try SealedBlob.open(blob, passphrase: passphrase)))
  }

  /// The upstream EncryptionConfiguration for these keys, written atomically with mode 0600.
  func mirror(_ keys: SecretsEncryption.KeySet) throws {
    let aesgcm: JSONValue = [
      "aesgcm": ["keys": .array(keys.keys.map { ["name": .string($0.name), "secret": .string($0.secret)] })]
    ]
    let providers: [JSONValue] = keys.enabled ? [aesgcm, ["identity": [:]]] : [["identity": [:]], aesgcm]
    let config: JSONValue = [
      "kind": "EncryptionConfiguration", "apiVersion": "apiserver.config.k8s.io/v1",
      "resources": [["resources": ["secrets"], "providers": .array(providers)]],
    ]
    try SecureFile.makeDirectory((file as NSString).deletingLastPathComponent, mode: 0o700)
    try SecureFile.save(config.encoded(), to: file, mode: 0o600)
  }
}
