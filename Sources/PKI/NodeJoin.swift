import Foundation

/// The wire format of `POST /v1-skiff/node-join`: an agent holding a join token trades two CSRs for its kubelet
/// client and serving certificates. The agent checks `/cacerts` against the token's CA hash before it sends this.
public enum NodeJoin {
  public static let path = "/v1-skiff/node-join"
  /// The client CA bundle, public like `/cacerts`: agents refresh their copy over TLS verified by
  /// the server CA they trust (after a CA rotation it holds the new and the retired client CA).
  public static let clientCAPath = "/v1-skiff/client-ca"

  /// What the agent sends (JSON, camelCase keys).
  public struct Request: Codable, Sendable, Equatable {
    public var nodeName: String
    /// The agent's `<data-dir>/agent/node-password`; the first join of a name binds it to this password.
    public var nodePassword: String
    /// PEM CSR for `system:node:<nodeName>` in `system:nodes`, no SANs.
    public var clientCSR: String
    /// PEM CSR for `system:node:<nodeName>` in `system:nodes` with the node's name and IPs as SANs.
    public var servingCSR: String

    public init(nodeName: String, nodePassword: String, clientCSR: String, servingCSR: String) {
      self.nodeName = nodeName
      self.nodePassword = nodePassword
      self.clientCSR = clientCSR
      self.servingCSR = servingCSR
    }
  }

  /// What the server answers on success (200).
  public struct Response: Codable, Sendable, Equatable {
    /// PEM, signed by the client CA.
    public var clientCertificate: String
    /// PEM, signed by the server CA.
    public var servingCertificate: String
    /// The client CA (kubelets verify the API server's client certificate with it).
    public var clientCA: String
    /// The server CA (what `/cacerts` served).
    public var serverCA: String
    /// The CertificateSigningRequest objects recorded for the two certificates.
    public var clientCSRName: String
    public var servingCSRName: String

    public init(
      clientCertificate: String, servingCertificate: String, clientCA: String, serverCA: String,
      clientCSRName: String, servingCSRName: String
    ) {
      self.clientCertificate = clientCertificate
      self.servingCertificate = servingCertificate
      self.clientCA = clientCA
      self.serverCA = serverCA
      self.clientCSRName = clientCSRName
      self.servingCSRName = servingCSRName
    }
  }

  /// The `O`/`CN` a node's certificates carry.
  public static func subject(node: String) -> CertificateSubject {
    CertificateSubject(commonName: "system:node:\(node)", organizations: ["system:nodes"])
  }
}
