import Foundation
import KubeAPI
import KubeSchema
import Logging
import NIOHTTP1
import PKI
import Store

/// Authenticates, then sends each request to discovery, health, or the resource path.
struct APIRouter: Sendable {
  let state: APIState
  let authenticator: Authenticator
  let discovery: Discovery
  let metrics: RequestMetrics
  let caCertificatePEM: String
  /// Served at `NodeJoin.clientCAPath`: not secret, and agents fetch it over TLS they verify.
  let clientCACertificatePEM: String
  let caRotation: CARotation?
  /// Set when this server can sign node certificates (it holds the CA keys).
  var join: NodeJoinSettings? = nil

  /// Serves one request; `user` is set by in-process callers, who skip authentication.
  func handle(_ request: HTTPRequest, as user: UserInfo? = nil) async -> HTTPResponse {
    let started = ContinuousClock.now
    let response: HTTPResponse
    var verb = request.method.rawValue
    var resource = ""
    do {
      if request.path == "/cacerts" { return Discovery.text(caCertificatePEM) }
      if request.path == NodeJoin.clientCAPath { return Discovery.text(clientCACertificatePEM) }
      // Authenticated by the join token inside the handler, not by the API's authenticator.
      if request.path == NodeJoin.path, user == nil {
        // Joins write through RBAC: until the bootstrap policy exists, ask the agent to retry.
        let joined: HTTPResponse
        if let join {
          joined =
            state.isBootstrapped
            ? await NodeJoinHandler(router: self, settings: join).handle(request)
            : APIError.unavailable("the server is still starting; retry the join shortly").response
        } else {
          joined = APIError.notFoundPath(request.path).response
        }
        metrics.record(verb: "POST", resource: "node-join", response: joined, since: started)
        return joined
      }
      let user = if let user { user } else { try await authenticator.authenticate(request) }
      if let target = RequestTarget(path: request.path),
        let definition = state.registry.lookup(group: target.group, version: target.version, plural: target.plural)
      {
        let handler = ResourceHandler(
          state: state, definition: definition, target: target, request: request, user: user)
        verb = handler.verb
        resource = definition.plural
        response = try await handler.handle()
      } else {
        response = try await nonResource(request, user: user)
      }
    } catch {
      response = error.response
    }
    metrics.record(verb: verb, resource: resource, response: response, since: started)
    return response
  }

  /// Every served resource, for the OpenAPI documents.
  private var served: [ServedResource] { state.schema.served(state.registry.all) }

  private func nonResource(_ request: HTTPRequest, user: UserInfo) async throws(APIError) -> HTTPResponse {
    let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
    let attributes = RequestAttributes(
      user: user, verb: request.method == .GET ? "get" : request.method.rawValue.lowercased(), path: path)
    let isPublic = ["/healthz", "/livez", "/readyz", "/version"].contains(path)
    if !isPublic && !(user.groups.contains("system:authenticated") && Discovery.isDiscoveryPath(path)) {
      if !(await state.authorizer.allows(attributes, state: state)) {
        throw APIError.forbidden(attributes.deniedMessage, resource: nil, name: nil)
      }
    }
    switch path {
    case "/healthz", "/livez", "/readyz":
      return await Health.response(path: path, verbose: request.query["verbose"] != nil, state: state)
    case "/version":
      return Discovery.json(Discovery.version)
    case "/metrics":
      return metrics.exposition()
    case "/openapi/v2":
      return Discovery.json(state.schema.current.openAPIV2Document(resources: served))
    case "/openapi/v3":
      return Discovery.json(state.schema.current.openAPIV3Index(resources: served))
    case SecretsEncryption.statusPath, SecretsEncryption.rotatePath:
      return try await secretsEncryption(request, path: path)
    case CARotation.path:
      return try await rotateCA(request)
    default:
      if path.hasPrefix("/openapi/v3/") {
        let groupVersion = String(path.dropFirst("/openapi/v3/".count))
        guard let document = state.schema.current.openAPIV3Document(groupVersion: groupVersion, resources: served)
        else { throw APIError.notFoundPath(path) }
        return Discovery.json(document)
      }
      if let response = discovery.response(path: path, accept: request.headers.first(name: "accept") ?? "") {
        return response
      }
      if request.method == .GET, path.hasPrefix("/api") || path.hasPrefix("/apis") {
        throw APIError.notFoundPath(path)
      }
      throw APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }
  }
}

extension APIRouter {
  /// `skiff secrets-encrypt`: GET the status, POST a key rotation. RBAC decides who (admins).
  fileprivate func secretsEncryption(_ request: HTTPRequest, path: String) async throws(APIError) -> HTTPResponse {
    guard let encryption = state.objects.encryption else {
      throw APIError.unavailable("secrets encryption is not configured on this server")
    }
    let rotate = path == SecretsEncryption.rotatePath
    guard request.method == (rotate ? .POST : .GET) else {
      throw APIError(
        code: 405, reason: "MethodNotAllowed", message: "\(request.method.rawValue) is not allowed on \(path)")
    }
    do {
      return Discovery.json(rotate ? try await encryption.rotateKeys().json : try await encryption.status().json)
    } catch {
      throw APIError.unavailable("\(error)")
    }
  }
}

extension APIRouter {
  /// `skiff certificate rotate-ca`: POST, optionally with the new CAs as JSON
  /// (``CARotation/Authorities``); answers with the new cluster token. RBAC decides who (admins).
  fileprivate func rotateCA(_ request: HTTPRequest) async throws(APIError) -> HTTPResponse {
    guard let caRotation else { throw APIError.unavailable("this server cannot rotate the cluster CAs") }
    guard request.method == .POST else {
      throw APIError(code: 405, reason: "MethodNotAllowed", message: "\(request.method.rawValue) is not allowed")
    }
    let authorities: CARotation.Authorities
    do {
      authorities =
        request.body.isEmpty ? .init() : try JSONDecoder().decode(CARotation.Authorities.self, from: Data(request.body))
    } catch {
      throw APIError.badRequest("the body must be {\"serverCA\": {\"certificate\", \"key\"}, \"clientCA\": …} in PEM")
    }
    do {
      let token = try await caRotation.rotate(authorities)
      return Discovery.json(["token": .string(token.description)])
    } catch let error as PKIError {
      throw APIError.badRequest("\(error)")
    } catch {
      throw APIError.unavailable("\(error)")
    }
  }
}

/// `/healthz`, `/livez`, `/readyz`: plain "ok", or each check with `?verbose`. The etcd check
/// reads the datastore; readyz also waits for the bootstrap objects.
enum Health {
  static func response(path: String, verbose: Bool, state: APIState) async -> HTTPResponse {
    var checks: [(String, Bool)] = [("ping", true)]
    let datastore = (try? await state.log.range(RangeRequest(range: .key(Array("/registry/health".utf8))))) != nil
    checks.append(("etcd", datastore))
    if path == "/readyz" { checks.append(("poststarthook/skiff-bootstrap", state.isBootstrapped)) }
    let healthy = checks.allSatisfy(\.1)
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: "text/plain; charset=utf-8")
    headers.add(name: "x-content-type-options", value: "nosniff")
    let name = String(path.dropFirst())
    var body: String
    if verbose || !healthy {
      body = checks.map { $0.1 ? "[+]\($0.0) ok" : "[-]\($0.0) failed: reason withheld" }.joined(separator: "\n")
      body += healthy ? "\n\(name) check passed\n" : "\n\(name) check failed\n"
    } else {
      body = "ok"
    }
    return .full(status: healthy ? .ok : .internalServerError, headers: headers, body: Array(body.utf8))
  }
}
