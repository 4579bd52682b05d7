/// Where a server keeps its TLS material, in K3s's layout under `<data-dir>/server/`.
public struct TLSPaths: Sendable, Equatable {
  /// `<data-dir>/server/tls`, mode 0700.
  public let directory: String
  /// `<data-dir>/server/token`: `K10<sha256 of server-ca.crt>::server:<secret>`, mode 0600.
  public let tokenFile: String

  public init(dataDirectory: String) {
    let server = dataDirectory.hasSuffix("/") ? "\(dataDirectory)server" : "\(dataDirectory)/server"
    directory = "\(server)/tls"
    tokenFile = "\(server)/token"
  }

  public var serverCACertificate: String { "\(directory)/server-ca.crt" }
  public var serverCAKey: String { "\(directory)/server-ca.key" }
  public var clientCACertificate: String { "\(directory)/client-ca.crt" }
  public var clientCAKey: String { "\(directory)/client-ca.key" }
  /// The service-account token signing key (ECDSA P-256, PKCS#8 PEM).
  public var serviceAccountKey: String { "\(directory)/service.key" }
  /// The API server's HTTPS certificate (server CA).
  public var servingCertificate: String { "\(directory)/serving-kube-apiserver.crt" }
  public var servingKey: String { "\(directory)/serving-kube-apiserver.key" }
  /// `system:admin` in `system:masters` (client CA), embedded in the admin kubeconfig.
  public var adminCertificate: String { "\(directory)/client-admin.crt" }
  public var adminKey: String { "\(directory)/client-admin.key" }
  /// The API server's identity towards kubelets (`system:apiserver`, client CA).
  public var apiServerClientCertificate: String { "\(directory)/client-kube-apiserver.crt" }
  public var apiServerClientKey: String { "\(directory)/client-kube-apiserver.key" }
}
