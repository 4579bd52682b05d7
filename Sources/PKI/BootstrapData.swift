import Crypto
import Foundation
import _CryptoExtras

/// The secrets every server of a cluster must share, as stored (encrypted) in the datastore.
struct BootstrapData: Codable, Equatable, Sendable {
  struct KeyPair: Codable, Equatable, Sendable {
    var certificate: String
    var key: String
  }

  var version = 1
  var serverCA: KeyPair
  var clientCA: KeyPair
  var serviceAccountKey: String
  var tokenSecret: String

  /// Blob layout: `v1:<base64 salt>:<base64 nonce|ciphertext|tag>`, text so it reads well in `etcdctl get`.
  static let formatTag = "v1"
  static let saltBytes = 16
  /// PBKDF2-HMAC-SHA512 rounds; the floor swift-crypto accepts without the unchecked entry point.
  static let rounds = 210_000

  /// JSON, encrypted with AES-256-GCM under a key derived from `passphrase` and a fresh random salt.
  func sealed(passphrase: String) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let plaintext = try encoder.encode(self)
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let key = try Self.key(passphrase: passphrase, salt: salt)
    let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(Self.formatTag.utf8))
    guard let combined = box.combined else { throw PKIError.invalidBootstrap("AES-GCM produced no output") }
    let text = "\(Self.formatTag):\(Data(salt).base64EncodedString()):\(combined.base64EncodedString())"
    return Array(text.utf8)
  }

  /// Decrypts a blob from `sealed`; an authentication failure means another token encrypted it.
  static func open(_ blob: [UInt8], passphrase: String) throws -> BootstrapData {
    let parts = String(decoding: blob, as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == formatTag,
      let salt = Data(base64Encoded: String(parts[1])), let combined = Data(base64Encoded: String(parts[2]))
    else {
      throw PKIError.invalidBootstrap("not a skiff \(formatTag) bootstrap blob; was it written by another program?")
    }
    let plaintext: Data
    do {
      let box = try AES.GCM.SealedBox(combined: combined)
      plaintext = try AES.GCM.open(
        box, using: try key(passphrase: passphrase, salt: Array(salt)),
        authenticating: Array(formatTag.utf8))
    } catch {
      throw PKIError.wrongToken
    }
    let data: BootstrapData
    do {
      data = try JSONDecoder().decode(BootstrapData.self, from: plaintext)
    } catch {
      throw PKIError.invalidBootstrap("decrypted data is not bootstrap JSON (\(error))")
    }
    guard data.version == 1 else {
      throw PKIError.invalidBootstrap("version \(data.version) was written by a newer skiff; upgrade this server")
    }
    return data
  }

  static func key(passphrase: String, salt: [UInt8]) throws -> SymmetricKey {
    try KDF.Insecure.PBKDF2.deriveKey(
      from: Array(passphrase.utf8), salt: salt, using: .sha512, outputByteCount: 32, rounds: rounds)
  }
}
