import Foundation
import SkiffCore
import SkiffTestSupport
import Store
import Testing

@testable import APIServer

/// The at-rest envelope: sealed only under /registry/secrets/, bound to its key, opened with
/// whichever key sealed it, plaintext from before encryption still readable.
@Suite struct SecretsEncryptionTests {
  let key = Array("/registry/secrets/default/s".utf8)
  let plain = Array(#"{"kind":"Secret","data":{"p":"aHVudGVyMg=="}}"#.utf8)

  @Test func sealsSecretsOnlyAndOpensThemAgain() throws {
    let encryption = SecretsEncryption(keys: .init(keys: [.generate()]))
    let sealed = try encryption.seal(key: key, value: plain)
    #expect(sealed.starts(with: Array("k8s:enc:aesgcm:v1:aesgcmkey-".utf8)))
    #expect(String(decoding: sealed, as: UTF8.self).contains("aHVudGVyMg") == false)
    #expect(try encryption.open(key: key, value: sealed) == plain)
    let configMap = Array("/registry/configmaps/default/c".utf8)
    #expect(try encryption.seal(key: configMap, value: plain) == plain)
    // A value written before encryption was on reads as it is.
    #expect(try encryption.open(key: key, value: plain) == plain)
  }

  @Test func aValueMovedToAnotherKeyOrSealedWithAnUnknownKeyIsRefused() throws {
    let encryption = SecretsEncryption(keys: .init(keys: [.generate()]))
    let sealed = try encryption.seal(key: key, value: plain)
    #expect(throws: StoreError.self) {
      try encryption.open(key: Array("/registry/secrets/default/other".utf8), value: sealed)
    }
    let stranger = SecretsEncryption(
      keys: .init(keys: [SecretsEncryption.Key(name: "other", secret: SecretsEncryption.Key.generate().secret)]))
    #expect(throws: StoreError.self) { try stranger.open(key: key, value: sealed) }
  }

  @Test func everyKeyOfTheSetOpensAndTheFirstSeals() throws {
    let old = SecretsEncryption.Key(name: "old", secret: SecretsEncryption.Key.generate().secret)
    let new = SecretsEncryption.Key(name: "new", secret: SecretsEncryption.Key.generate().secret)
    let before = try SecretsEncryption(keys: .init(keys: [old])).seal(key: key, value: plain)
    let rotated = SecretsEncryption(keys: .init(keys: [new, old]))
    #expect(try rotated.open(key: key, value: before) == plain)
    #expect(SecretsEncryption.keyName(of: try rotated.seal(key: key, value: plain)) == "new")
    // Disabled: nothing new is sealed, old ciphertexts still open.
    let disabled = SecretsEncryption(keys: .init(keys: [old], enabled: false))
    #expect(try disabled.seal(key: key, value: plain) == plain)
    #expect(try disabled.open(key: key, value: before) == plain)
  }
}

/// End to end with the real kubectl and etcdctl: the row holds ciphertext, the API the
/// plaintext; a rotation, restarts and turning encryption off lose nothing.
@Suite(
  .serialized,
  .enabled(if: SkiffServerProcess.kubectlPath != nil && SkiffServerProcess.hasEtcdctl, "needs kubectl and etcdctl"))
struct SecretsEncryptionServerTests {
  /// The stored row, as bytes through etcdctl's JSON output (the value is binary).
  func raw(_ server: SkiffServerProcess, _ name: String) async throws -> String {
    let json = try await Blocking.run {
      try server.etcdctl("get", "/registry/secrets/default/\(name)", "-w", "json")
    }
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    let value = ((object?["kvs"] as? [[String: Any]])?.first?["value"] as? String).flatMap { Data(base64Encoded: $0) }
    return String(decoding: value ?? Data(), as: UTF8.self)
  }

  func password(_ server: SkiffServerProcess, _ name: String) async throws -> String {
    let encoded = try await Blocking.run {
      try server.kubectl("get", "secret", name, "-o", "jsonpath={.data.password}")
    }
    return String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self)
  }

  @Test func secretsAreSealedRotatedAndSurviveRestarts() async throws {
    var server = try SkiffServerProcess()
    let dataDir = server.dataDir
    defer {
      server.stop()
      try? FileManager.default.removeItem(atPath: dataDir)
    }
    try await server.waitReady()
    try await Blocking.run { [server] in
      try server.kubectl("create", "secret", "generic", "one", "--from-literal=password=hunter2")
    }
    let stored = try await raw(server, "one")
    #expect(stored.hasPrefix("k8s:enc:aesgcm:v1:aesgcmkey-"))
    #expect(!stored.contains("hunter2") && !stored.contains("aHVudGVyMg"))
    #expect(try await password(server, "one") == "hunter2")
    let config = try String(contentsOfFile: "\(dataDir)/server/cred/encryption-config.json", encoding: .utf8)
    #expect(config.contains("EncryptionConfiguration") && config.contains("aesgcm"))
    let mode =
      try FileManager.default.attributesOfItem(atPath: "\(dataDir)/server/cred/encryption-config.json")[
        .posixPermissions] as? Int
    #expect(mode == 0o600)

    let kubeconfig = server.kubeconfig
    // By bytes: the ciphertext after the name's colon may start with a combining mark, which
    // would join the colon into one Character.
    let firstKey = String(
      decoding: stored.utf8.dropFirst("k8s:enc:aesgcm:v1:".utf8.count).prefix { $0 != UInt8(ascii: ":") },
      as: UTF8.self)
    let status = try await SkiffServerProcess.skiff(["secrets-encrypt", "status", "--kubeconfig", kubeconfig])
    #expect(status.contains("Encryption Status: Enabled") && status.contains(firstKey), "\(status)")

    let rotated = try await SkiffServerProcess.skiff(["secrets-encrypt", "rotate-keys", "--kubeconfig", kubeconfig])
    #expect(rotated.contains("reencrypt_finished") && !rotated.contains(firstKey))
    let resealed = try await raw(server, "one")
    #expect(resealed.hasPrefix("k8s:enc:aesgcm:v1:") && !resealed.contains(firstKey))
    #expect(try await password(server, "one") == "hunter2")

    // A restart reads the rotated key back from the datastore.
    server.stop()
    server = try SkiffServerProcess(dataDir: dataDir)
    try await server.waitReady()
    #expect(try await password(server, "one") == "hunter2")

    // Turned off: new Secrets are stored as given, sealed ones stay readable.
    server.stop()
    server = try SkiffServerProcess(dataDir: dataDir, arguments: ["--disable-secrets-encryption"])
    try await server.waitReady()
    try await Blocking.run { [server] in
      try server.kubectl("create", "secret", "generic", "two", "--from-literal=password=swordfish")
    }
    #expect(try await raw(server, "two").contains("swordfish") == false)  // base64 in the row
    #expect(try await raw(server, "two").hasPrefix("{"))
    #expect(try await password(server, "one") == "hunter2")
    #expect(try await password(server, "two") == "swordfish")
    let off = try await SkiffServerProcess.skiff(["secrets-encrypt", "status", "--kubeconfig", server.kubeconfig])
    #expect(off.contains("Encryption Status: Disabled") && off.contains("1 Secrets are stored in plaintext"))
  }
}
