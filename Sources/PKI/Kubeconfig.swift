import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A single-cluster kubeconfig with everything embedded, as K3s writes `/etc/rancher/k3s/k3s.yaml`.
public struct Kubeconfig: Sendable, Equatable {
  public enum Credentials: Sendable, Equatable {
    /// A client certificate and key (PEM), embedded as `client-certificate-data` / `client-key-data`.
    case clientCertificate(certificatePEM: String, keyPEM: String)
    /// A bearer token (a service-account or bootstrap token).
    case token(String)
  }

  public var server: String
  public var certificateAuthorityPEM: String
  public var credentials: Credentials
  public var clusterName: String
  public var userName: String
  public var contextName: String

  /// Names default to "default", as K3s's admin kubeconfig.
  public init(
    server: String, certificateAuthorityPEM: String, credentials: Credentials, clusterName: String = "default",
    userName: String = "default", contextName: String = "default"
  ) {
    self.server = server
    self.certificateAuthorityPEM = certificateAuthorityPEM
    self.credentials = credentials
    self.clusterName = clusterName
    self.userName = userName
    self.contextName = contextName
  }

  /// The YAML text, in the layout kubectl itself writes (`kubectl config view --raw`).
  public var yaml: String {
    let user: String
    switch credentials {
    case .clientCertificate(let certificatePEM, let keyPEM):
      user = """
            client-certificate-data: \(base64(certificatePEM))
            client-key-data: \(base64(keyPEM))
        """
    case .token(let token):
      user = "    token: \(Self.scalar(token))"
    }
    return """
      apiVersion: v1
      clusters:
      - cluster:
          certificate-authority-data: \(base64(certificateAuthorityPEM))
          server: \(Self.scalar(server))
        name: \(Self.scalar(clusterName))
      contexts:
      - context:
          cluster: \(Self.scalar(clusterName))
          user: \(Self.scalar(userName))
        name: \(Self.scalar(contextName))
      current-context: \(Self.scalar(contextName))
      kind: Config
      preferences: {}
      users:
      - name: \(Self.scalar(userName))
        user:
      \(user)

      """
  }

  /// Writes atomically with exactly `mode` (`--write-kubeconfig-mode`, 0600 by default), creating parent directories.
  public func write(to path: String, mode: mode_t = 0o600) throws {
    try SecureFile.save(yaml, to: path, mode: mode)
  }

  private func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

  /// A plain scalar when YAML reads it back as the same string, else a double-quoted one.
  static func scalar(_ value: String) -> String {
    let safe = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:@".contains($0)) }
    let ambiguous = ["", "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"].contains(value.lowercased())
    if safe, !ambiguous, !value.contains(": "), let first = value.first, first.isLetter || first == "/" {
      return value
    }
    var quoted = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": quoted += "\\\""
      case "\\": quoted += "\\\\"
      case "\n": quoted += "\\n"
      case "\t": quoted += "\\t"
      default:
        if scalar.value < 0x20 {
          quoted += String(format: "\\x%02x", scalar.value)
        } else {
          quoted.unicodeScalars.append(scalar)
        }
      }
    }
    return quoted + "\""
  }
}
