import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Registry HTTP API v2 requests for one repository on one endpoint. Requests go out
/// without credentials first; a 401 starts the challenge flow (Basic, or Bearer through
/// the token realm), trying each credential in order and then anonymous access, and the
/// authorization that worked is reused for the rest of the pull.
final class RegistryClient: Sendable {
  let endpoint: RegistryEndpoint
  let repository: String
  /// The image as messages name it (`registry/repository:tag`).
  let image: String
  let credentials: [RegistryCredentials]
  let proxy: RegistryProxy
  private let state: Mutex<State>

  private struct State {
    var scheme: String
    var authorization: String?
  }

  /// One client for all registries: system trust roots, redirects followed (the Authorization
  /// header is dropped when a blob redirects to another origin, as object stores require),
  /// bodies left compressed so digests are computed on the bytes the registry stores.
  /// A refused connection fails the request at once (the pull then tries the next endpoint or
  /// retries) instead of waiting out the connect timeout in the pool's back-off.
  static let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)

  static var configuration: HTTPClient.Configuration {
    var pool = HTTPClient.Configuration.ConnectionPool()
    pool.retryConnectionEstablishment = false
    var configuration = HTTPClient.Configuration(
      certificateVerification: .fullVerification, redirectConfiguration: .follow(max: 10, allowCycles: false),
      timeout: .init(connect: .seconds(30), read: .seconds(120)), decompression: .disabled)
    configuration.connectionPool = pool
    return configuration
  }

  static let manifestLimit = 4 << 20

  init(
    endpoint: RegistryEndpoint, repository: String, image: String, credentials: [RegistryCredentials],
    proxy: RegistryProxy = RegistryProxy()
  ) {
    self.endpoint = endpoint
    self.proxy = proxy
    self.repository = repository
    self.image = image
    var all = credentials
    if let configured = endpoint.config?.credentials, !all.contains(configured) { all.insert(configured, at: 0) }
    self.credentials = all
    state = Mutex(State(scheme: endpoint.scheme))
  }

  private var registryName: String { endpoint.displayName }

  /// The endpoint as currently spoken to (after any fall-back to plain HTTP).
  var baseURL: String { "\(state.withLock { $0.scheme })://\(endpoint.host)\(endpoint.path)" }

  func url(_ suffix: String) -> String {
    let scheme = state.withLock { $0.scheme }
    return "\(scheme)://\(endpoint.host)\(endpoint.path)/\(repository)/\(suffix)"
  }

  // MARK: Requests

  /// GETs `/v2/<repository>/<suffix>`, authenticating when challenged; the answer is never a 401.
  func get(_ suffix: String, method: HTTPMethod = .GET, accept: [String] = []) async throws -> HTTPClientResponse {
    let remembered = state.withLock { $0.authorization }
    let first = try await send(suffix, method: method, accept: accept, authorization: remembered)
    guard first.status == .unauthorized else { return first }
    let challenges = AuthChallenge.parse(first.headers["WWW-Authenticate"])
    await Self.drain(first)
    let candidates: [RegistryCredentials?] = credentials.map { $0 } + [nil]
    var last = first.status
    for candidate in candidates {
      guard let authorization = try await authorization(for: challenges, credentials: candidate) else { continue }
      if authorization == remembered { continue }
      let response = try await send(suffix, method: method, accept: accept, authorization: authorization)
      if response.status != .unauthorized && response.status != .forbidden {
        state.withLock { $0.authorization = authorization }
        return response
      }
      last = response.status
      await Self.drain(response)
    }
    throw denied(status: last)
  }

  private func denied(status: HTTPResponseStatus) -> RuntimeError {
    let tried = credentials.isEmpty ? "" : " (tried \(credentials.count) credential(s) and anonymous access)"
    return RuntimeError(
      .permissionDenied,
      "pull access denied for \(image): the repository does not exist or needs credentials (imagePullSecrets)"
        + "\(tried); \(registryName) answered \(status.code) \(status.reasonPhrase)")
  }

  private func send(_ suffix: String, method: HTTPMethod, accept: [String], authorization: String?) async throws
    -> HTTPClientResponse
  {
    do {
      return try await execute(url(suffix), method: method, accept: accept, authorization: authorization)
    } catch let error as RuntimeError where error.code == .registry {
      // A loopback registry that does not speak TLS: retry over plain HTTP and stay there.
      let switched = state.withLock { state in
        guard endpoint.fallsBackToHTTP && state.scheme == "https" else { return false }
        state.scheme = "http"
        return true
      }
      guard switched else { throw error }
      return try await execute(url(suffix), method: method, accept: accept, authorization: authorization)
    }
  }

  func execute(
    _ url: String, method: HTTPMethod = .GET, accept: [String] = [], authorization: String? = nil,
    body: [UInt8]? = nil, contentType: String? = nil
  ) async throws -> HTTPClientResponse {
    var request = HTTPClientRequest(url: url)
    request.method = method
    request.headers.add(name: "User-Agent", value: "skiff")
    if !accept.isEmpty { request.headers.add(name: "Accept", value: accept.joined(separator: ", ")) }
    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
    if let body {
      request.body = .bytes(ByteBuffer(bytes: body))
      if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    }
    let host = URLComponents(string: url)?.host
    if host == DockerConfig.splitPort(endpoint.host).0 { request.tlsConfiguration = try tlsConfiguration() }
    do {
      return try await proxy.client(for: url).execute(request, timeout: .hours(6))
    } catch {
      throw RegistryClient.networkError(error, url: url, registry: registryName)
    }
  }

  /// nil for the client's default (full verification against the system's roots).
  private func tlsConfiguration() throws -> TLSConfiguration? {
    guard let config = endpoint.config,
      config.insecureSkipVerify || config.caFile != nil || config.certFile != nil
    else { return nil }
    var tls = TLSConfiguration.makeClientConfiguration()
    if config.insecureSkipVerify { tls.certificateVerification = .none }
    do {
      if let caFile = config.caFile { tls.additionalTrustRoots = [.file(caFile)] }
      if let certFile = config.certFile, let keyFile = config.keyFile {
        tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
      }
    } catch {
      throw RuntimeError(.invalidArgument, "cannot load the TLS files configured for \(endpoint.host): \(error)")
    }
    return tls
  }

  static func drain(_ response: HTTPClientResponse) async {
    _ = try? await response.body.collect(upTo: 1 << 20)
  }

  /// The registry's error document (`{"errors":[{"code","message"}]}`) as one line, or the raw text.
  static func errorText(_ response: HTTPClientResponse) async -> String {
    guard let buffer = try? await response.body.collect(upTo: 1 << 16) else { return "" }
    let bytes = Array(buffer.readableBytesView)
    struct Errors: Decodable {
      struct Item: Decodable {
        var code: String?
        var message: String?
      }
      var errors: [Item]?
    }
    if let decoded = try? JSONDecoder().decode(Errors.self, from: Data(bytes)), let items = decoded.errors,
      !items.isEmpty
    {
      return items.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
    }
    return String(decoding: bytes.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// A status other than success, as an error a user can act on.
  func failure(_ response: HTTPClientResponse, what: String) async -> RuntimeError {
    let detail = await Self.errorText(response)
    let suffix = detail.isEmpty ? "" : ": \(detail)"
    switch response.status {
    case .notFound:
      return RuntimeError(.notFound, "\(what) not found in registry \(registryName)\(suffix)")
    case .unauthorized, .forbidden:
      return denied(status: response.status)
    case .tooManyRequests:
      return RuntimeError(
        .registry,
        "registry \(registryName) refused the pull of \(image) with 429 Too Many Requests (a pull rate limit): "
          + "retry later, or pull with credentials (imagePullSecrets) for a higher limit")
    default:
      return RuntimeError(
        .registry,
        "registry \(registryName) answered \(response.status.code) \(response.status.reasonPhrase) for \(what)"
          + suffix)
    }
  }

  static func networkError(_ error: Error, url: String, registry: String) -> RuntimeError {
    if let error = error as? RuntimeError { return error }
    let host = URLComponents(string: url)?.host ?? registry
    var reason = "\(error)"
    var hint = ""
    if reason.contains("Connection refused") {
      reason = "connection refused"
    } else if reason.contains("UnknownHost") || reason.contains("DNS error") {
      reason = "cannot resolve the host name \(host)"
    } else if reason.contains("Network is unreachable") || reason.contains("No route to host") {
      reason = "no route to \(host)"
    } else if let error = error as? HTTPClientError {
      switch error {
      case .connectTimeout: reason = "connection timed out"
      case .readTimeout: reason = "the registry stopped sending data"
      case .remoteConnectionClosed: reason = "the connection was closed"
      default: break
      }
    } else if error is NIOSSLError || error is BoringSSLError || reason.contains("SSL") {
      hint =
        " (if the registry uses a private CA, set ca_file for it in /etc/skiff/registries.yaml; if it speaks plain "
        + "HTTP, list it under insecure)"
    }
    let target =
      host == registry || registry.hasPrefix(host) ? "registry \(registry)" : "\(host) for registry \(registry)"
    return RuntimeError(.registry, "cannot reach \(target): \(reason)\(hint)")
  }
}
