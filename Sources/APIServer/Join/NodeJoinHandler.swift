import Foundation
import KubeAPI
import KubeClient
import NIOHTTP1
import PKI

/// `POST /v1-skiff/node-join`: trades a join token, a node name, its node password and two CSRs for the kubelet's
/// client certificate (client CA) and serving certificate (server CA).
///
/// Every check (token, body, CSRs, node password) happens before the first write; then the password binding is
/// stored and the two certificates are recorded as approved CertificateSigningRequests, as kubeadm's TLS bootstrap
/// would leave them, so `kubectl get csr` shows who joined.
struct NodeJoinHandler: Sendable {
  let router: APIRouter
  let settings: NodeJoinSettings

  /// The client and serving usages the kubelet signers require.
  static let clientUsages = ["digital signature", "key encipherment", "client auth"]
  static let servingUsages = ["digital signature", "key encipherment", "server auth"]

  func handle(_ request: HTTPRequest) async -> HTTPResponse {
    do {
      guard request.method == .POST else {
        throw APIError(
          code: 405, reason: "MethodNotAllowed", message: "\(NodeJoin.path) only accepts POST, not \(request.method)")
      }
      let identity = try await authenticate(request)
      let join = try Self.parse(request.body)
      let checked = try validate(join)
      try await checkPassword(node: join.nodeName, password: join.nodePassword)
      // Signing before any write: a CSR the signer refuses must not leave a password binding behind.
      let clientPEM = try sign(checked.client, signer: CSRSigner.kubeletClient, usages: Self.clientUsages)
      let servingPEM = try sign(checked.serving, signer: CSRSigner.kubeletServing, usages: Self.servingUsages)
      try await storePassword(node: join.nodeName, password: join.nodePassword)
      let client = try await record(
        csrPEM: join.clientCSR, certificatePEM: clientPEM, signer: CSRSigner.kubeletClient,
        usages: Self.clientUsages, identity: identity)
      let serving = try await record(
        csrPEM: join.servingCSR, certificatePEM: servingPEM, signer: CSRSigner.kubeletServing,
        usages: Self.servingUsages, identity: identity)
      router.state.logger.info(
        "node joined",
        metadata: [
          "node": "\(join.nodeName)", "credential": "\(identity.credentialName)",
          "csrs": "\(client.name),\(serving.name)",
        ])
      let response = NodeJoin.Response(
        clientCertificate: client.certificate, servingCertificate: serving.certificate,
        clientCA: settings.clientCAPEM, serverCA: settings.serverCAPEM, clientCSRName: client.name,
        servingCSRName: serving.name)
      var headers = HTTPHeaders()
      headers.add(name: "content-type", value: "application/json")
      headers.add(name: "cache-control", value: "no-cache, private")
      return .full(status: .ok, headers: headers, body: Array(try JSONEncoder().encode(response)))
    } catch let error as APIError {
      return error.response
    } catch {
      return APIError.internalError("node join failed: \(error)").response
    }
  }

  // MARK: authentication

  func authenticate(_ request: HTTPRequest) async throws(APIError) -> JoinIdentity {
    guard let header = request.headers.first(name: "authorization") else {
      throw Self.unauthorized(
        "joining a node needs a token: send the cluster token (<data-dir>/server/token on a server) or a bootstrap "
          + "token (skiff token create) as \"Authorization: Bearer <token>\"")
    }
    guard let credential = JoinCredential(authorization: header) else {
      throw Self.unauthorized(
        "the Authorization header holds no token skiff understands (K10…, node:<secret>, or <id>.<secret>)")
    }
    switch credential {
    case .password(let user, let password):
      guard let token = settings.clusterToken, ["", "node", "server"].contains(user), token.accepts(password: password)
      else {
        throw Self.unauthorized(
          "the token is not valid for this cluster; use the token in <data-dir>/server/token on a server, "
            + "or create one with `skiff token create`")
      }
      return .clusterToken
    case .bootstrapToken(let id, let secret):
      if let token = settings.clusterToken, token.accepts(password: "\(id).\(secret)") { return .clusterToken }
      switch await BootstrapTokenLookup(state: router.state).check(id: id, secret: secret) {
      case .valid(let token): return .bootstrap(token)
      case .refused(let why): throw Self.unauthorized("\(why); create a new token with `skiff token create`")
      }
    }
  }

  static func unauthorized(_ message: String) -> APIError {
    APIError(code: 401, reason: "Unauthorized", message: message)
  }

  // MARK: input

  /// Reads the body; a missing or non-string field becomes an empty string that ``validate`` reports, so every
  /// problem is listed in one answer.
  static func parse(_ body: [UInt8]) throws(APIError) -> NodeJoin.Request {
    let shape = "the request body must be a JSON object with nodeName, nodePassword, clientCSR and servingCSR"
    guard !body.isEmpty else { throw APIError.badRequest(shape) }
    let object: JSONValue
    do {
      object = try JSONValue.parse(body)
    } catch {
      throw APIError.badRequest("the request body is not valid JSON: \(error)")
    }
    guard object.objectValue != nil else { throw APIError.badRequest(shape) }
    var wrongTypes: [FieldError] = []
    func field(_ name: String) -> String {
      guard let value = object[name], value != .null else { return "" }
      guard let text = value.stringValue else {
        wrongTypes.append(.invalid(FieldPath(name), value, "must be a string"))
        return ""
      }
      return text
    }
    let request = NodeJoin.Request(
      nodeName: field("nodeName"), nodePassword: field("nodePassword"), clientCSR: field("clientCSR"),
      servingCSR: field("servingCSR"))
    guard wrongTypes.isEmpty else { throw invalid(wrongTypes, name: request.nodeName) }
    return request
  }

  struct CheckedRequests {
    var client: CertificateRequest
    var serving: CertificateRequest
  }

  /// Node name, password and both CSRs; every problem is reported at once.
  func validate(_ join: NodeJoin.Request) throws(APIError) -> CheckedRequests {
    var errors: [FieldError] = []
    let name = join.nodeName
    if name.isEmpty {
      errors.append(.required("nodeName", "the node's name"))
    } else {
      for problem in NameValidation.dns1123Subdomain(name) {
        errors.append(.invalid("nodeName", .string(name), problem))
      }
      if name.count > 233 {
        errors.append(.invalid("nodeName", .string(name), "must be no more than 233 characters"))
      }
    }
    if join.nodePassword.isEmpty {
      errors.append(.required("nodePassword", "the agent's <data-dir>/agent/node-password"))
    } else if join.nodePassword.utf8.count > 1024 {
      errors.append(.invalid("nodePassword", .string("<redacted>"), "must be no more than 1024 bytes"))
    }
    let client = Self.check(join.clientCSR, field: "clientCSR", node: name, serving: false, errors: &errors)
    let serving = Self.check(join.servingCSR, field: "servingCSR", node: name, serving: true, errors: &errors)
    guard errors.isEmpty, let client, let serving else { throw Self.invalid(errors, name: name) }
    return CheckedRequests(client: client, serving: serving)
  }

  static func check(
    _ pem: String, field: FieldPath, node: String, serving: Bool, errors: inout [FieldError]
  ) -> CertificateRequest? {
    guard !pem.isEmpty else {
      errors.append(.required(field, "a PEM CERTIFICATE REQUEST"))
      return nil
    }
    do {
      let request = try CertificateRequest(pem: pem)
      let named = try serving ? request.validateKubeletServing() : request.validateKubeletClient()
      guard named == node else {
        errors.append(
          .invalid(
            field, .string(request.subject.commonName),
            "the CSR asks for node \"\(named)\" but nodeName is \"\(node)\"; its subject must be system:node:\(node)"))
        return nil
      }
      if serving {
        let foreign = request.names.dnsNames.filter { $0 != node }
        if !foreign.isEmpty {
          errors.append(
            .invalid(
              field, .string(foreign.joined(separator: ",")),
              "a kubelet serving certificate may only name the node itself (\(node)) and its IP addresses"))
          return nil
        }
      }
      return request
    } catch {
      errors.append(.invalid(field, .string("<csr>"), "\(error)"))
      return nil
    }
  }

  static func invalid(_ errors: [FieldError], name: String = "") -> APIError {
    let list = errors.aggregateMessage ?? ""
    var details: [String: JSONValue] = ["kind": "NodeJoin", "causes": .array(errors.map(\.cause))]
    if !name.isEmpty { details["name"] = .string(name) }
    return APIError(
      code: 422, reason: "Invalid", message: "NodeJoin \"\(name)\" is invalid: \(list)", details: .object(details))
  }

  func sign(_ request: CertificateRequest, signer name: String, usages: [String]) throws(APIError) -> String {
    do {
      return try settings.signer.sign(request, signerName: name, usages: usages)
    } catch {
      throw APIError(code: 422, reason: "Invalid", message: "\(error)")
    }
  }
}

/// What the join endpoint needs beyond the API server: the cluster token and the CA keys.
struct NodeJoinSettings: Sendable {
  var clusterToken: JoinToken?
  var signer: CSRSigner
  var clientCAPEM: String
  var serverCAPEM: String
}
