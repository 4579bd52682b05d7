import Crypto
import Foundation
import _CryptoExtras

/// Cluster-wide secrets as servers share them through the datastore: AES-256-GCM under a key
/// derived from the join token's secret, so the database alone (or a snapshot of it) reveals
/// nothing. Text (`v1:<base64 salt>:<base64 nonce|ciphertext|tag>`) so it reads well in `etcdctl get`.
public enum SealedBlob {
  static let formatTag = "v1"
  static let saltBytes = 16
  /// PBKDF2-HMAC-SHA512 rounds; the floor swift-crypto accepts without the unchecked entry point.
  static let rounds = 210_000

  /// Encrypts `plaintext` under a key derived from `passphrase` and a fresh random salt.
  public static func seal(_ plaintext: [UInt8], passphrase: String) throws -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<saltBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let box = try AES.GCM.seal(
      plaintext, using: try key(passphrase: passphrase, salt: salt), authenticating: Array(formatTag.utf8))
    guard let combined = box.combined else { throw PKIError.invalidBootstrap("AES-GCM produced no output") }
    return Array("\(formatTag):\(Data(salt).base64EncodedString()):\(combined.base64EncodedString())".utf8)
  }

  /// Decrypts a blob from `seal`; an authentication failure means another token sealed it.
  public static func open(_ blob: [UInt8], passphrase: String) throws -> [UInt8] {
    let parts = String(decoding: blob, as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == formatTag,
      let salt = Data(base64Encoded: String(parts[1])), let combined = Data(base64Encoded: String(parts[2]))
    else {
      throw PKIError.invalidBootstrap("not a skiff \(formatTag) sealed blob; was it written by another program?")
    }
    do {
      let box = try AES.GCM.SealedBox(combined: combined)
      return Array(
        try AES.GCM.open(
          box, using: try key(passphrase: passphrase, salt: Array(salt)), authenticating: Array(formatTag.utf8)))
    } catch {
      throw PKIError.wrongToken
    }
  }

  static func key(passphrase: String, salt: [UInt8]) throws -> SymmetricKey {
    try KDF.Insecure.PBKDF2.deriveKey(
      from: Array(passphrase.utf8), salt: salt, using: .sha512, outputByteCount: 32, rounds: rounds)
  }
}
