import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PKI
import Synchronization

/// An HTTPS server with its own CA that impersonates a skiff server: it serves its CA at /cacerts and records
/// every request line and Authorization header it receives, to prove what a joining agent sends to a stranger.
final class JoinRecordingServer: Sendable {
  struct Seen: Sendable, Equatable {
    var method: String
    var uri: String
    var authorization: String?
  }

  /// Shared between the server object and each connection's handler.
  final class Log: Sendable {
    private let entries = Mutex<[Seen]>([])
    func append(_ seen: Seen) { entries.withLock { $0.append(seen) } }
    var all: [Seen] { entries.withLock { $0 } }
  }

  let ca: CertificateAuthority
  let channel: any Channel
  let seen: Log
  var port: Int { channel.localAddress?.port ?? 0 }
  var requests: [Seen] { seen.all }

  init() async throws {
    let ca = try CertificateAuthority.generate(commonName: "impostor-ca")
    let leaf = try ca.issue(
      subject: CertificateSubject(commonName: "impostor"),
      names: try SubjectAltNames(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]), usage: .server)
    let tls = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(leaf.certificatePEM.utf8)).map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(leaf.privateKeyPEM.utf8), format: .pem)))
    let context = try NIOSSLContext(configuration: tls)
    let seen = Log()
    let caPEM = ca.certificatePEM
    channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(Recorder(seen: seen, caPEM: caPEM))
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    self.ca = ca
    self.seen = seen
  }

  func stop() async {
    try? await channel.close()
  }

  final class Recorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let seen: Log
    let caPEM: String

    init(seen: Log, caPEM: String) {
      self.seen = seen
      self.caPEM = caPEM
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      switch unwrapInboundIn(data) {
      case .head(let head):
        seen.append(
          Seen(method: head.method.rawValue, uri: head.uri, authorization: head.headers.first(name: "authorization")))
      case .body: break
      case .end:
        let body = ByteBuffer(string: caPEM)
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: "\(body.readableBytes)")
        headers.add(name: "content-type", value: "text/plain")
        context.write(
          wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
      }
    }
  }
}
