import AsyncHTTPClient
import Foundation
import KubeAPI
import KubeClient
import NIOCore
import NIOHTTP1
import NIOSSL

/// HTTPS to the API server with the kubeconfig's client certificate, keep-alive connections from
/// AsyncHTTPClient's pool. HTTP/1.1 by default, as the Python generator this replaces spoke; with
/// `http2` every request is a stream on one connection, as client-go does.
final class BenchClient: Sendable {
  let client: HTTPClient
  let base: String

  init(kubeconfig: String, http2: Bool) throws {
    let credentials = try HTTPTransport.Credentials(kubeconfig: kubeconfig)
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(credentials.certificateAuthorityPEM.utf8)))
    if let certificate = credentials.clientCertificatePEM, let key = credentials.clientKeyPEM {
      tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) }
      tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
    configuration.httpVersion = http2 ? .automatic : .http1Only
    // Enough connections that requests of an open-loop load never queue for one in the client.
    configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
    configuration.timeout = .init(connect: .seconds(10), read: nil)
    client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    base = credentials.server.hasSuffix("/") ? String(credentials.server.dropLast()) : credentials.server
  }

  /// Sends a request and collects the whole body; throws on a transport failure only.
  func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> (status: UInt, body: [UInt8]) {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    request.headers.add(name: "Accept", value: "application/json")
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await client.execute(request, timeout: .seconds(60))
    var bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
    return (response.status.code, bytes.readBytes(length: bytes.readableBytes) ?? [])
  }

  /// Sends a request whose answer must be 2xx JSON and parses it (the client's decoding is part of
  /// a request's latency, as for any client that uses the answer).
  func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
    let response = try await send(method, path, body: try body?.serialized())
    guard (200..<300).contains(response.status) else {
      throw BenchError.status(
        response.status, "\(method) \(path)", String(decoding: response.body.prefix(200), as: UTF8.self))
    }
    return try JSONValue.parse(response.body)
  }

  /// Opens a watch and reads (and drops) its events until cancelled, as an informer keeps one
  /// open; counts events by line so the client spends no time decoding them.
  func drainWatch(_ path: String) async throws -> Int {
    var request = HTTPClientRequest(url: base + path)
    request.headers.add(name: "Accept", value: "application/json")
    let response = try await client.execute(request, timeout: .hours(1))
    guard response.status == .ok else { throw BenchError.status(response.status.code, "watch \(path)", "") }
    var events = 0
    do {
      for try await part in response.body {
        events += part.readableBytesView.lazy.filter { $0 == UInt8(ascii: "\n") }.count
      }
    } catch is CancellationError {}
    return events
  }

  func shutdown() async throws {
    try await client.shutdown()
  }
}

enum BenchError: Error, CustomStringConvertible {
  case status(UInt, String, String)
  case usage(String)

  var description: String {
    switch self {
    case .status(let code, let what, let body): "\(what): \(code) \(body)"
    case .usage(let text): text
    }
  }
}
