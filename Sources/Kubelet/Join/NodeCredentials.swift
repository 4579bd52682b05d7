import Foundation
import KubeClient
import PKI
import X509

/// A node's identity as written under `<data-dir>/agent/`: the kubelet's client certificate (to call the API
/// server as `system:node:<name>`), its serving certificate (for the kubelet API on :10250) and both CAs.
public struct NodeCredentials: Sendable {
  public let server: String
  public let nodeName: String
  public let paths: AgentPaths
  public let client: LeafCertificate
  public let serving: LeafCertificate
  public let clientCAPEM: String
  public let serverCAPEM: String

  public init(
    server: String, nodeName: String, paths: AgentPaths, client: LeafCertificate, serving: LeafCertificate,
    clientCAPEM: String, serverCAPEM: String
  ) {
    self.server = server
    self.nodeName = nodeName
    self.paths = paths
    self.client = client
    self.serving = serving
    self.clientCAPEM = clientCAPEM
    self.serverCAPEM = serverCAPEM
  }

  /// `kubelet.kubeconfig`: the server CA and the client certificate, embedded.
  public var kubeconfig: Kubeconfig {
    Kubeconfig(
      server: server, certificateAuthorityPEM: serverCAPEM,
      credentials: .clientCertificate(certificatePEM: client.certificatePEM, keyPEM: client.privateKeyPEM),
      clusterName: "default", userName: "system:node:\(nodeName)", contextName: "default")
  }

  /// For `HTTPTransport`: the API server as this node.
  public var transportCredentials: HTTPTransport.Credentials {
    HTTPTransport.Credentials(
      server: server, certificateAuthorityPEM: serverCAPEM, clientCertificatePEM: client.certificatePEM,
      clientKeyPEM: client.privateKeyPEM)
  }

  /// A client that authenticates as `system:node:<name>`. Make a new one after a renewal: an existing client
  /// keeps the certificate it was made with (still valid until it expires).
  public func kubeClient() throws -> KubeClient {
    KubeClient(transport: try HTTPTransport(transportCredentials))
  }

  /// Writes every file, keys before certificates, each atomically with its final mode.
  func write() throws {
    try SecureFile.makeDirectory(paths.directory, mode: 0o700)
    try writeAuthorities()
    try writeClient()
    try writeServing()
  }

  /// The CA bundles, and the kubeconfig that embeds the server CA.
  func writeAuthorities() throws {
    try SecureFile.save(clientCAPEM, to: paths.clientCA, mode: 0o644)
    try SecureFile.save(serverCAPEM, to: paths.serverCA, mode: 0o644)
    try kubeconfig.write(to: paths.kubeconfig, mode: 0o600)
  }

  /// The same node with other CA bundles.
  func with(clientCAPEM: String, serverCAPEM: String) -> NodeCredentials {
    NodeCredentials(
      server: server, nodeName: nodeName, paths: paths, client: client, serving: serving, clientCAPEM: clientCAPEM,
      serverCAPEM: serverCAPEM)
  }

  /// Whether a certificate was signed by a CA a rotation retired (one but the last of its
  /// bundle): it still works, but is renewed from the current CA right away.
  var clientFromRetiredCA: Bool { !Self.issued(client.certificate, by: PEMBundle.certificates(clientCAPEM).suffix(1)) }
  var servingFromRetiredCA: Bool {
    !Self.issued(serving.certificate, by: PEMBundle.certificates(serverCAPEM).suffix(1))
  }

  func writeClient() throws {
    try SecureFile.save(client.privateKeyPEM, to: paths.clientKey, mode: 0o600)
    try SecureFile.save(client.certificatePEM, to: paths.clientCertificate, mode: 0o644)
    try kubeconfig.write(to: paths.kubeconfig, mode: 0o600)
  }

  func writeServing() throws {
    try SecureFile.save(serving.privateKeyPEM, to: paths.servingKey, mode: 0o600)
    try SecureFile.save(serving.certificatePEM, to: paths.servingCertificate, mode: 0o644)
  }

  /// The files a previous start left, or why they cannot be used as they are (then the agent joins again).
  static func load(
    paths: AgentPaths, server: String, nodeName: String, names: SubjectAltNames, token: JoinToken, now: Date
  ) -> Result<NodeCredentials, KubeletError> {
    func refuse(_ why: String) -> Result<NodeCredentials, KubeletError> { .failure(KubeletError(.io, why)) }
    do {
      guard let clientCA = try SecureFile.read(paths.clientCA), let serverCA = try SecureFile.read(paths.serverCA),
        let clientCertificate = try SecureFile.read(paths.clientCertificate),
        let clientKey = try SecureFile.read(paths.clientKey),
        let servingCertificate = try SecureFile.read(paths.servingCertificate),
        let servingKey = try SecureFile.read(paths.servingKey)
      else { return refuse("no complete set of certificates in \(paths.directory)") }
      guard token.pinsCA(in: serverCA) else { return refuse("\(paths.serverCA) is not the CA the token pins") }
      let client = try LeafCertificate(
        certificatePEM: clientCertificate, privateKeyPEM: clientKey, name: paths.clientCertificate)
      let serving = try LeafCertificate(
        certificatePEM: servingCertificate, privateKeyPEM: servingKey, name: paths.servingCertificate)
      guard Self.issued(client.certificate, by: PEMBundle.certificates(clientCA)) else {
        return refuse("\(paths.clientCertificate) was not signed by \(paths.clientCA)")
      }
      guard Self.issued(serving.certificate, by: PEMBundle.certificates(serverCA)) else {
        return refuse("\(paths.servingCertificate) was not signed by \(paths.serverCA)")
      }
      let subject = NodeJoin.subject(node: nodeName)
      guard client.subject == subject, serving.subject == subject else {
        return refuse("the certificates in \(paths.directory) are for another node name")
      }
      guard names.isSubset(of: serving.names) else {
        return refuse("\(paths.servingCertificate) lacks some of \(names.dnsNames + names.ipAddresses)")
      }
      for leaf in [client, serving] where leaf.certificate.notValidAfter <= now {
        return refuse("a certificate in \(paths.directory) expired at \(leaf.certificate.notValidAfter)")
      }
      return .success(
        NodeCredentials(
          server: server, nodeName: nodeName, paths: paths, client: client, serving: serving, clientCAPEM: clientCA,
          serverCAPEM: serverCA))
    } catch {
      return refuse("\(error)")
    }
  }

  /// Whether one of `authorities` signed `leaf`.
  static func issued(_ leaf: Certificate, by authorities: some Sequence<Certificate>) -> Bool {
    authorities.contains { $0.issued(leaf) }
  }

}
