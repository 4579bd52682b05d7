import Foundation

/// The secrets every server of a cluster must share, as stored (encrypted) in the datastore.
struct BootstrapData: Codable, Equatable, Sendable {
  /// The CAs a `rotate-ca` replaced, kept trusted until the next rotation so that nodes and
  /// kubeconfigs issued before it keep working while they move to the new CAs.
  struct Retired: Codable, Equatable, Sendable {
    var serverCA: String
    /// The current server CA's certificate signed by the retired one: sent after the serving
    /// certificate, it leads clients that only trust the retired CA to it.
    var crossSignedServerCA: String
    var clientCA: String
  }

  var version = 1
  var serverCA: PEMKeyPair
  var clientCA: PEMKeyPair
  var serviceAccountKey: String
  var tokenSecret: String
  var retired: Retired? = nil

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

/// A certificate and its private key, both PEM.
public struct PEMKeyPair: Codable, Equatable, Sendable {
  public var certificate: String
  public var key: String

  public init(certificate: String, key: String) {
    self.certificate = certificate
    self.key = key
  }
}
