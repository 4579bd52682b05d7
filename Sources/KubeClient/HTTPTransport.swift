import AsyncHTTPClient
import Foundation
import KubeAPI
import NIOCore
import NIOHTTP1
import NIOSSL

/// Talks to an API server over HTTPS with AsyncHTTPClient: the server's certificate is checked
/// against the cluster CA, the client proves itself with a certificate or a bearer token.
public final class HTTPTransport: KubeTransport {
  public struct Credentials: Sendable {
    public var server: String
    public var certificateAuthorityPEM: String
    public var clientCertificatePEM: String?
    public var clientKeyPEM: String?
    public var bearerToken: String?
    /// Accept any server certificate (kubeconfig's `insecure-skip-tls-verify`); only for reading public data
    /// that is verified another way, such as an agent fetching `/cacerts` to compare with its token's CA hash.
    public var insecureSkipTLSVerify = false

    public init(
      server: String, certificateAuthorityPEM: String, clientCertificatePEM: String? = nil,
      clientKeyPEM: String? = nil, bearerToken: String? = nil
    ) {
      self.server = server
      self.certificateAuthorityPEM = certificateAuthorityPEM
      self.clientCertificatePEM = clientCertificatePEM
      self.clientKeyPEM = clientKeyPEM
      self.bearerToken = bearerToken
    }

    /// Reads the current context of a kubeconfig file (embedded `*-data` fields or file paths).
    public init(kubeconfig path: String) throws {
      let text: String
      do {
        text = try String(contentsOfFile: path, encoding: .utf8)
      } catch {
        throw KubeClientError.transport("cannot read kubeconfig \(path): \(error.localizedDescription)")
      }
      let config = try JSONValue.parseYAML(text)
      let contextName = config["current-context"]?.stringValue ?? ""
      func named(_ list: String, _ name: String?) -> JSONValue? {
        let items = config[list]?.arrayValue ?? []
        return (items.first { $0["name"]?.stringValue == name } ?? items.first)
      }
      let context = named("contexts", contextName)?["context"]
      guard let cluster = named("clusters", context?["cluster"]?.stringValue)?["cluster"],
        let server = cluster["server"]?.stringValue
      else { throw KubeClientError.transport("kubeconfig \(path) names no cluster server") }
      let user = named("users", context?["user"]?.stringValue)?["user"]
      func pem(_ object: JSONValue?, _ field: String) throws -> String? {
        if let data = object?["\(field)-data"]?.stringValue {
          guard let bytes = Data(base64Encoded: data) else {
            throw KubeClientError.transport("kubeconfig \(path): \(field)-data is not base64")
          }
          return String(decoding: bytes, as: UTF8.self)
        }
        if let file = object?[field]?.stringValue { return try String(contentsOfFile: file, encoding: .utf8) }
        return nil
      }
      self.init(
        server: server, certificateAuthorityPEM: try pem(cluster, "certificate-authority") ?? "",
        clientCertificatePEM: try pem(user, "client-certificate"), clientKeyPEM: try pem(user, "client-key"),
        bearerToken: user?["token"]?.stringValue)
      insecureSkipTLSVerify = cluster["insecure-skip-tls-verify"]?.boolValue ?? false
    }
  }

  let client: HTTPClient
  let base: String
  let bearerToken: String?

  public init(_ credentials: Credentials) throws {
    var tls = TLSConfiguration.makeClientConfiguration()
    if !credentials.certificateAuthorityPEM.isEmpty {
      tls.trustRoots = .certificates(
        try NIOSSLCertificate.fromPEMBytes(Array(credentials.certificateAuthorityPEM.utf8)))
    }
    if credentials.insecureSkipTLSVerify { tls.certificateVerification = .none }
    if let certificate = credentials.clientCertificatePEM, let key = credentials.clientKeyPEM {
      tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) }
      tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
    configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
    configuration.timeout = .init(connect: .seconds(10), read: nil)
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    base = credentials.server.hasSuffix("/") ? String(credentials.server.dropLast()) : credentials.server
    bearerToken = credentials.bearerToken
  }

  deinit {
    try? client.syncShutdown()
  }

  public func send(_ request: KubeRequest) async throws -> KubeResponse {
    let response = try await client.execute(httpRequest(request), timeout: .seconds(60))
    var body = try await response.body.collect(upTo: 64 * 1024 * 1024)
    return KubeResponse(status: Int(response.status.code), body: body.readBytes(length: body.readableBytes) ?? [])
  }

  public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
    let response = try await client.execute(httpRequest(request), timeout: .hours(24))
    let body = AsyncThrowingStream<[UInt8], any Error> { continuation in
      let task = Task {
        do {
          for try await var part in response.body {
            continuation.yield(part.readBytes(length: part.readableBytes) ?? [])
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
    return KubeStreamingResponse(status: Int(response.status.code), body: body)
  }

  private func httpRequest(_ request: KubeRequest) -> HTTPClientRequest {
    var http = HTTPClientRequest(url: base + request.uri)
    http.method = HTTPMethod(rawValue: request.method)
    http.headers.add(name: "Accept", value: "application/json")
    http.headers.add(name: "User-Agent", value: "skiff")
    if let bearerToken { http.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
    if let body = request.body {
      http.headers.add(name: "Content-Type", value: request.contentType)
      http.body = .bytes(ByteBuffer(bytes: body))
    }
    return http
  }
}
