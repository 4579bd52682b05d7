import Crypto
import Foundation
import SwiftASN1
import X509

/// A cluster join token in K3s's forms: `K10<sha256 of CA>::<user>:<password>`, `K10<hash>::<id>.<secret>`,
/// or a bare password / bootstrap token without the CA pin.
public struct JoinToken: Sendable, Equatable, CustomStringConvertible {
  /// Hex SHA-256 pinning the server CA, or nil for a short token that trusts the first CA it sees.
  public var caHash: String?
  /// The credential: a user and password, or a kubeadm-style bootstrap token.
  public var credentials: Credentials

  public enum Credentials: Sendable, Equatable {
    /// Basic-auth style; `user` is "server" or "node" in K3s, empty for a bare password.
    case password(user: String, password: String)
    /// `[a-z0-9]{6}.[a-z0-9]{16}`, sent as a bearer token.
    case bootstrapToken(id: String, secret: String)
  }

  static let prefix = "K10"

  public init(caHash: String?, credentials: Credentials) {
    self.caHash = caHash
    self.credentials = credentials
  }

  /// Parses any accepted form; the error says which part is wrong.
  public init(parsing text: String) throws {
    let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else { throw PKIError.invalidToken("token must not be empty") }
    var credentialText = token
    caHash = nil
    if token.hasPrefix(Self.prefix), let separator = token.range(of: "::") {
      let hash = String(token[token.index(token.startIndex, offsetBy: Self.prefix.count)..<separator.lowerBound])
      if !hash.isEmpty {
        guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
          throw PKIError.invalidToken("the CA hash after K10 must be 64 hex digits")
        }
        caHash = hash.lowercased()
      }
      credentialText = String(token[separator.upperBound...])
    }
    if let bootstrap = Self.bootstrapToken(credentialText) {
      credentials = bootstrap
    } else if credentialText == token {
      credentials = .password(user: "", password: token)
    } else if let colon = credentialText.firstIndex(of: ":"),
      colon != credentialText.index(before: credentialText.endIndex)
    {
      credentials = .password(
        user: String(credentialText[..<colon]), password: String(credentialText[credentialText.index(after: colon)...]))
    } else {
      throw PKIError.invalidToken("expected K10<ca-hash>::<user>:<password> after the CA hash")
    }
  }

  /// A new server token: 32 random hex characters as the password, user "server", pinned to `caPEM`.
  public static func generateServer(caPEM: String) -> JoinToken {
    JoinToken(caHash: caHash(pem: caPEM), credentials: .password(user: "server", password: randomSecret()))
  }

  /// The secret that keys the bootstrap encryption and authenticates joins (the password, or the whole bootstrap
  /// token), as K3s normalises `--token`.
  public var secret: String {
    switch credentials {
    case .password(_, let password): password
    case .bootstrapToken(let id, let secret): "\(id).\(secret)"
    }
  }

  /// The full K10 form when a CA hash is known, else the bare credential.
  public var description: String {
    let credential =
      switch credentials {
      case .password(let user, let password): user.isEmpty && caHash == nil ? password : "\(user):\(password)"
      case .bootstrapToken(let id, let secret): "\(id).\(secret)"
      }
    guard let caHash else { return credential }
    return "\(Self.prefix)\(caHash)::\(credential)"
  }

  /// This token pinned to `caPEM`, with the credential unchanged (a bare password becomes user "server").
  public func pinned(to caPEM: String) -> JoinToken {
    var copy = self
    copy.caHash = Self.caHash(pem: caPEM)
    if case .password(let user, let password) = credentials, user.isEmpty {
      copy.credentials = .password(user: "server", password: password)
    }
    return copy
  }

  /// SHA-256 hex of a CA bundle as K3s computes it: of the PEM bytes for one certificate; for a bundle, of the DER
  /// of its self-signed root, so an intermediate can rotate under a fixed root.
  public static func caHash(pem: String) -> String {
    let blocks = PEMBundle.blocks(pem)
    if blocks.count > 1,
      let root = PEMBundle.certificates(pem).last(where: { $0.subject == $0.issuer }),
      let hash = derHash(root)
    {
      return hash
    }
    return hex(SHA256.hash(data: Array(pem.utf8)))
  }

  static func derHash(_ certificate: Certificate) -> String? {
    var serializer = DER.Serializer()
    guard (try? serializer.serialize(certificate)) != nil else { return nil }
    return hex(SHA256.hash(data: serializer.serializedBytes))
  }

  /// Checks a CA bundle fetched from `/cacerts` before any credential is sent; a short token pins nothing.
  public func verify(caBundlePEM: String) throws {
    guard let caHash else { return }
    let actual = Self.caHash(pem: caBundlePEM)
    guard actual == caHash else { throw PKIError.caHashMismatch(expected: caHash, actual: actual) }
  }

  /// The certificate of `caBundlePEM` this token pins by itself, when the bundle as a whole
  /// hashes to something else: after `rotate-ca` the bundle holds the new CA and the retired one,
  /// and a token from before pins the retired one. Its PEM block, for a TLS check against it.
  public func pinnedCertificate(in caBundlePEM: String) -> String? {
    guard let caHash else { return nil }
    return PEMBundle.blocks(caBundlePEM).first { block in
      [block, block + "\n"].contains { Self.caHash(pem: $0) == caHash }
        || (try? Certificate(pemEncoded: block)).flatMap(Self.derHash) == caHash
    }
  }

  /// Whether the token pins this bundle or one of its CAs (see ``pinnedCertificate(in:)``); for
  /// bundles already trusted, such as a node's own files.
  public func pinsCA(in caBundlePEM: String) -> Bool {
    caHash == nil || Self.caHash(pem: caBundlePEM) == caHash || pinnedCertificate(in: caBundlePEM) != nil
  }

  /// Constant-time comparison of a presented password against this token's secret.
  public func accepts(password: String) -> Bool {
    let given = Array(password.utf8)
    let expected = Array(secret.utf8)
    var difference = UInt8(given.count == expected.count ? 0 : 1)
    for index in 0..<expected.count { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
    return difference == 0
  }

  static func randomSecret() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
  }

  static func bootstrapToken(_ text: String) -> Credentials? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    func valid(_ part: Substring, _ length: Int) -> Bool {
      part.count == length && part.allSatisfy { ($0.isASCII && $0.isLowercase) || $0.isASCII && $0.isNumber }
    }
    guard parts.count == 2, valid(parts[0], 6), valid(parts[1], 16) else { return nil }
    return .bootstrapToken(id: String(parts[0]), secret: String(parts[1]))
  }

}

func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
  bytes.map { String(format: "%02x", $0) }.joined()
}
