/// Where an agent keeps its identity, under `<data-dir>/agent/` (K3s's names).
public struct AgentPaths: Sendable, Equatable {
  /// `<data-dir>/agent`, mode 0700.
  public let directory: String

  public init(dataDirectory: String) {
    directory = dataDirectory.hasSuffix("/") ? "\(dataDirectory)agent" : "\(dataDirectory)/agent"
  }

  /// The CA that signs client certificates; the kubelet server checks the API server's client certificate with it.
  public var clientCA: String { "\(directory)/client-ca.crt" }
  /// The CA that signs serving certificates; the agent trusts the API server through it.
  public var serverCA: String { "\(directory)/server-ca.crt" }
  /// `system:node:<name>` in `system:nodes`, signed by the client CA.
  public var clientCertificate: String { "\(directory)/client-kubelet.crt" }
  public var clientKey: String { "\(directory)/client-kubelet.key" }
  /// The kubelet API's HTTPS certificate (node name and IPs), signed by the server CA.
  public var servingCertificate: String { "\(directory)/serving-kubelet.crt" }
  public var servingKey: String { "\(directory)/serving-kubelet.key" }
  /// Embeds the server CA and the client certificate; mode 0600.
  public var kubeconfig: String { "\(directory)/kubelet.kubeconfig" }
  /// Random, kept across restarts and rejoins; the server binds the node name to it. Mode 0600.
  public var nodePassword: String { "\(directory)/node-password" }
}
