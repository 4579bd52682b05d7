import Foundation
import KubeAPI
import KubeClient
import Logging
import PKI

/// Gets a node its kubelet certificates with a join token, and keeps them fresh.
///
/// The agent first fetches `/cacerts` without sending anything secret and compares it with the CA hash in the
/// token; only then does it send the token, its node name and password, and two CSRs to `/v1-skiff/node-join`,
/// trusting nothing but that CA. Later renewals go through CertificateSigningRequests made with the node's own
/// client certificate, which the server's approver and signer answer.
public struct AgentJoin: Sendable {
  public let server: String
  public let token: JoinToken
  public let nodeName: String
  public let nodeIPs: [String]
  public let paths: AgentPaths
  let logger: Logger

  /// `server` is the API server URL (`https://10.0.0.1:6443`); `nodeIPs` go into the serving certificate.
  public init(
    server: String, token: JoinToken, nodeName: String, nodeIPs: [String], dataDirectory: String,
    logger: Logger = Logger(label: "skiff.agent.join")
  ) {
    self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
    self.token = token
    self.nodeName = nodeName
    self.nodeIPs = nodeIPs
    self.paths = AgentPaths(dataDirectory: dataDirectory)
    self.logger = logger
  }

  /// The names the serving certificate must carry: the node name and every node IP.
  public func servingNames() throws -> SubjectAltNames {
    do {
      return try SubjectAltNames(dnsNames: [nodeName], ipAddresses: nodeIPs)
    } catch {
      throw KubeletError(.invalidArgument, "cannot put \(nodeName) \(nodeIPs) in a certificate: \(error)")
    }
  }

  /// The node's credentials: the files of an earlier start when they still fit this node, else a new join.
  public func join(now: Date = Date()) async throws -> NodeCredentials {
    let password = try nodePassword()
    let loaded = NodeCredentials.load(
      paths: paths, server: server, nodeName: nodeName, names: try servingNames(), token: token, now: now)
    switch loaded {
    case .success(let stored):
      let credentials = await refreshingAuthorities(stored)
      if (try? SecureFile.read(paths.kubeconfig)) != credentials.kubeconfig.yaml {
        try Self.io { try credentials.kubeconfig.write(to: paths.kubeconfig, mode: 0o600) }
      }
      logger.info("reusing node certificates", metadata: ["node": "\(nodeName)", "dir": "\(paths.directory)"])
      return credentials
    case .failure(let why):
      logger.info("joining the cluster", metadata: ["node": "\(nodeName)", "server": "\(server)", "why": "\(why)"])
    }
    return try await freshJoin(password: password)
  }

  /// `<data-dir>/agent/node-password`, created (random, 0600) on first use and kept afterwards.
  public func nodePassword() throws -> String {
    try Self.io {
      if let existing = try SecureFile.read(paths.nodePassword)?.trimmingCharacters(in: .whitespacesAndNewlines),
        !existing.isEmpty
      {
        try SecureFile.enforceMode(paths.nodePassword, mode: 0o600)
        return existing
      }
      try SecureFile.makeDirectory(paths.directory, mode: 0o700)
      let password = NodePassword.generate()
      try SecureFile.save(password + "\n", to: paths.nodePassword, mode: 0o600)
      return password
    }
  }

  /// Fetches and pins the CA, then trades the token and two CSRs for certificates.
  func freshJoin(password: String) async throws -> NodeCredentials {
    let serverCA = try await fetchCA()
    let subject = NodeJoin.subject(node: nodeName)
    let client = try CertificateRequest.generate(subject: subject)
    let serving = try CertificateRequest.generate(subject: subject, names: try servingNames())
    let request = NodeJoin.Request(
      nodeName: nodeName, nodePassword: password, clientCSR: client.csrPEM, servingCSR: serving.csrPEM)
    var credentials = HTTPTransport.Credentials(server: server, certificateAuthorityPEM: serverCA)
    credentials.bearerToken = token.description
    let transport = try HTTPTransport(credentials)
    let response: KubeResponse
    do {
      response = try await transport.send(
        KubeRequest(method: "POST", path: NodeJoin.path, body: Array(try JSONEncoder().encode(request))))
    } catch {
      throw KubeletError(.unavailable, "cannot reach \(server)\(NodeJoin.path) to join: \(error)")
    }
    guard response.status == 200 else { throw Self.refusal(response, node: nodeName, server: server) }
    let answer: NodeJoin.Response
    do {
      answer = try JSONDecoder().decode(NodeJoin.Response.self, from: Data(response.body))
    } catch {
      throw KubeletError(.joinRefused, "\(server) answered the join with something that is not a join response")
    }
    guard answer.serverCA == serverCA else {
      throw KubeletError(.joinRefused, "\(server) answered the join with a different server CA than /cacerts")
    }
    let result: NodeCredentials
    do {
      result = NodeCredentials(
        server: server, nodeName: nodeName, paths: paths,
        client: try LeafCertificate(certificatePEM: answer.clientCertificate, privateKeyPEM: client.privateKeyPEM),
        serving: try LeafCertificate(
          certificatePEM: answer.servingCertificate, privateKeyPEM: serving.privateKeyPEM),
        clientCAPEM: answer.clientCA, serverCAPEM: serverCA)
    } catch {
      throw KubeletError(.joinRefused, "\(server) returned certificates that do not match this node's keys: \(error)")
    }
    try Self.io { try result.write() }
    logger.info(
      "joined the cluster",
      metadata: [
        "node": "\(nodeName)", "csrs": "\(answer.clientCSRName),\(answer.servingCSRName)",
        "expires": "\(result.client.certificate.notValidAfter)",
      ])
    return result
  }

  /// `GET /cacerts` with no credentials at all, checked against the token's CA hash before anything else is sent.
  func fetchCA() async throws -> String {
    var credentials = HTTPTransport.Credentials(server: server, certificateAuthorityPEM: "")
    credentials.insecureSkipTLSVerify = true
    let response: KubeResponse
    do {
      response = try await HTTPTransport(credentials).send(KubeRequest(method: "GET", path: "/cacerts"))
    } catch {
      throw KubeletError(.unavailable, "cannot fetch the cluster CA from \(server)/cacerts: \(error)")
    }
    let pem = String(decoding: response.body, as: UTF8.self)
    guard response.status == 200, pem.contains("-----BEGIN CERTIFICATE-----") else {
      throw KubeletError(
        .joinRefused, "\(server)/cacerts answered \(response.status) without a CA certificate; is it a skiff server?")
    }
    guard token.caHash != nil else {
      logger.warning(
        "the token has no CA hash: trusting the CA the server presents on first use; pin it with a K10… token",
        metadata: ["server": "\(server)", "ca-hash": "\(JoinToken.caHash(pem: pem))"])
      return pem
    }
    if (try? token.verify(caBundlePEM: pem)) != nil { return pem }
    // After a CA rotation a token from before pins the retired CA inside the bundle: trust the
    // bundle only if the server proves its chain to that CA, by fetching it again verified.
    if let pinned = token.pinnedCertificate(in: pem),
      let verified = try? await HTTPTransport(
        HTTPTransport.Credentials(server: server, certificateAuthorityPEM: pinned)
      )
      .send(KubeRequest(method: "GET", path: "/cacerts")),
      verified.status == 200, verified.body == response.body
    {
      logger.info("the token pins a CA the cluster has since rotated; the server proved its chain to it")
      return pem
    }
    throw KubeletError(
      .joinRefused,
      "refusing to join \(server): its CA hashes to \(JoinToken.caHash(pem: pem)) but the token pins "
        + "\(token.caHash ?? ""); this is the wrong server or someone in between (no credential was sent)")
  }

  /// The node's credentials with the cluster's current CA bundles, fetched over TLS that the CA
  /// the node trusts verifies; they change when the cluster's CAs are rotated. Unchanged when
  /// the server cannot be asked (the agent then starts with what it has).
  func refreshingAuthorities(_ credentials: NodeCredentials) async -> NodeCredentials {
    func fetch(_ transport: HTTPTransport, _ path: String) async throws -> String? {
      let response = try await transport.send(KubeRequest(method: "GET", path: path))
      let pem = String(decoding: response.body, as: UTF8.self)
      return response.status == 200 && !PEMBundle.certificates(pem).isEmpty ? pem : nil
    }
    do {
      let transport = try HTTPTransport(credentials.transportCredentials)
      guard let serverCA = try await fetch(transport, "/cacerts"),
        let clientCA = try await fetch(transport, NodeJoin.clientCAPath),
        serverCA != credentials.serverCAPEM || clientCA != credentials.clientCAPEM
      else { return credentials }
      let refreshed = credentials.with(clientCAPEM: clientCA, serverCAPEM: serverCA)
      try refreshed.writeAuthorities()
      logger.info("the cluster's CAs changed; stored the new CA bundles", metadata: ["node": "\(nodeName)"])
      return refreshed
    } catch {
      logger.warning(
        "could not check the cluster's CA bundles; keeping the stored ones",
        metadata: ["node": "\(nodeName)", "error": "\(error)"])
      return credentials
    }
  }

  /// The server's Status message as an error with a code the caller can branch on.
  static func refusal(_ response: KubeResponse, node: String, server: String) -> KubeletError {
    let message =
      (try? JSONValue.parse(response.body))?["message"]?.stringValue
      ?? String(decoding: response.body.prefix(512), as: UTF8.self)
    let code: KubeletError.Code =
      switch response.status {
      case 401: .unauthorized
      case 403: .forbidden
      case 400, 422: .invalidArgument
      case 500...: .unavailable
      default: .joinRefused
      }
    return KubeletError(code, "\(server) refused to join node \"\(node)\" (HTTP \(response.status)): \(message)")
  }

  static func io<T>(_ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as KubeletError {
      throw error
    } catch {
      throw KubeletError(.io, "\(error)")
    }
  }
}
