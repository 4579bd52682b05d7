import Foundation

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

  /// JSON, sealed with the token secret (see ``SealedBlob``).
  func sealed(passphrase: String) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try SealedBlob.seal(Array(try encoder.encode(self)), passphrase: passphrase)
  }

  /// Decrypts a blob from `sealed`; an authentication failure means another token encrypted it.
  static func open(_ blob: [UInt8], passphrase: String) throws -> BootstrapData {
    let plaintext = Data(try SealedBlob.open(blob, passphrase: passphrase))
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
}
