/// Everything the PKI module can refuse, each with a message that says what to do next.
public enum PKIError: Error, Sendable, Equatable, CustomStringConvertible {
  /// A PEM or DER blob (certificate, key, CSR) could not be parsed; `what` names it (often a file path).
  case malformed(what: String, reason: String)
  /// A private key does not belong to the certificate beside it.
  case keyMismatch(what: String)
  /// A subject alternative name is neither a DNS name nor an IP address.
  case invalidName(String)
  /// A file or directory could not be read or written.
  case io(path: String, reason: String)
  /// The datastore holds bootstrap data this token cannot decrypt.
  case wrongToken
  /// The datastore holds bootstrap data but this server was given no token.
  case tokenRequired
  /// A join token string has the wrong shape.
  case invalidToken(String)
  /// A CA bundle does not hash to the value the join token pins.
  case caHashMismatch(expected: String, actual: String)
  /// The bootstrap blob decrypted but is not bootstrap data this version understands.
  case invalidBootstrap(String)
  /// A certificate signing request is malformed, badly signed, or asks for something it may not have.
  case invalidCSR(String)
  /// A client certificate was refused; `reason` says which check failed.
  case untrustedCertificate(String)
  /// A service-account token was refused.
  case invalidServiceAccountToken(TokenFailure)

  /// Why a service-account JWT was refused, precise enough for the API server's audit log.
  public enum TokenFailure: Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case badSignature
    case expired
    case notYetValid
    case wrongIssuer(String)
    case wrongAudience([String])

    public var description: String {
      switch self {
      case .malformed(let why): "malformed token: \(why)"
      case .unsupportedAlgorithm(let alg): "unsupported signing algorithm \"\(alg)\" (expected ES256)"
      case .badSignature: "signature does not verify with any service-account key of this cluster"
      case .expired: "token has expired"
      case .notYetValid: "token is not valid yet"
      case .wrongIssuer(let issuer): "token issuer \"\(issuer)\" is not accepted by this cluster"
      case .wrongAudience(let audiences):
        "token audiences \(audiences) do not include an audience this server accepts"
      }
    }
  }

  public var description: String {
    switch self {
    case .malformed(let what, let reason): "cannot parse \(what): \(reason)"
    case .keyMismatch(let what):
      "the private key of \(what) does not match its certificate; remove both files to regenerate"
    case .invalidName(let name): "\"\(name)\" is neither a DNS name nor an IP address"
    case .io(let path, let reason): "\(path): \(reason)"
    case .wrongToken:
      "bootstrap data in the datastore was encrypted with a different token; start with the cluster's --token"
    case .tokenRequired:
      "the datastore already holds a cluster's bootstrap data; start this server with that cluster's --token "
        + "(see <data-dir>/server/token on a server of that cluster)"
    case .invalidToken(let why): "invalid token: \(why)"
    case .caHashMismatch(let expected, let actual):
      "the token pins CA hash \(expected) but the cluster CA hashes to \(actual); use the token from the server's "
        + "<data-dir>/server/token"
    case .invalidBootstrap(let why): "bootstrap data in the datastore is unusable: \(why)"
    case .invalidCSR(let why): "certificate signing request refused: \(why)"
    case .untrustedCertificate(let why): "client certificate refused: \(why)"
    case .invalidServiceAccountToken(let failure): "service account token refused: \(failure)"
    }
  }
}
