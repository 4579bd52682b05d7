import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Testing

@testable import PKI

/// The material loaded into NIOSSL (BoringSSL) as the API server will: serving cert for HTTPS, client CA
/// requested but not required, and the peer's leaf handed to `ClientCertificateAuthenticator` as DER.
@Suite("TLS handshake through NIOSSL")
struct TLSHandshakeTests {
  /// Captures the verified peer certificate (DER) once the server side of the handshake completes.
  final class PeerCapture: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<[UInt8]?>
    init(_ promise: EventLoopPromise<[UInt8]?>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
      if case TLSUserEvent.handshakeCompleted = event {
        do {
          let handler = try context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
          promise.succeed(try handler.peerCertificate?.toDERBytes())
        } catch {
          promise.fail(error)
        }
      }
      context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
      promise.fail(ChannelError.eof)  // ignored when the handshake already completed
      context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      promise.fail(error)
      context.close(promise: nil)
    }
  }

  /// Completes when the client side of the handshake (including NIOSSL's hostname check) succeeds.
  final class ClientWatch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>
    init(_ promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
      if case TLSUserEvent.handshakeCompleted = event { promise.succeed() }
      context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
      promise.fail(ChannelError.eof)
      context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      promise.fail(error)
      context.close(promise: nil)
    }
  }

  /// Runs one handshake; returns what the server saw of the client's certificate, or throws the server's error.
  func handshake(_ pki: ClusterPKI, client: LeafCertificate?, hostname: String, trusting: String? = nil) async throws
    -> [UInt8]?
  {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var serverConfiguration = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(pki.serving.certificatePEM.utf8))
        .map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(pki.serving.privateKeyPEM.utf8), format: .pem)))
    serverConfiguration.certificateVerification = .optionalVerification
    serverConfiguration.trustRoots = .certificates(
      try NIOSSLCertificate.fromPEMBytes(Array(pki.clientCA.certificatePEM.utf8)))
    let serverContext = try NIOSSLContext(configuration: serverConfiguration)

    var clientConfiguration = TLSConfiguration.makeClientConfiguration()
    clientConfiguration.trustRoots = .file(pki.paths.serverCACertificate)
    if let trusting {
      clientConfiguration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trusting.utf8)))
    }
    if let client {
      clientConfiguration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(client.certificatePEM.utf8))
        .map { .certificate($0) }
      clientConfiguration.privateKey = .privateKey(
        try NIOSSLPrivateKey(bytes: Array(client.privateKeyPEM.utf8), format: .pem))
    }
    let clientContext = try NIOSSLContext(configuration: clientConfiguration)

    let seen = group.next().makePromise(of: [UInt8]?.self)
    let clientDone = group.next().makePromise(of: Void.self)
    var result: Result<[UInt8]?, any Error> = .failure(ChannelError.eof)
    do {
      let server = try await ServerBootstrap(group: group)
        .childChannelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
            try channel.pipeline.syncOperations.addHandler(PeerCapture(seen))
          }
        }
        .bind(host: "127.0.0.1", port: 0).get()
      let port = try #require(server.localAddress?.port)
      let channel = try await ClientBootstrap(group: group)
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
              try NIOSSLClientHandler(context: clientContext, serverHostname: hostname))
            try channel.pipeline.syncOperations.addHandler(ClientWatch(clientDone))
          }
        }
        .connect(host: "127.0.0.1", port: port).get()
      do {
        try await clientDone.futureResult.get()
        result = .success(try await seen.futureResult.get())
      } catch {
        result = .failure(error)
      }
      try? await channel.close()
      try await server.close()
    } catch {
      seen.fail(error)
      clientDone.fail(error)
      result = .failure(error)
    }
    try await group.shutdownGracefully()
    return try result.get()
  }

  func pki(_ dir: TemporaryDirectory) async throws -> ClusterPKI {
    try await ClusterPKI.loadOrCreate(
      .init(dataDirectory: dir.path, hostname: "edge-1", nodeIPs: ["192.168.1.10"]), store: MemoryBootstrapStore())
  }

  @Test func adminCertificateAuthenticatesOverTLS() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await pki(dir)
    let der = try #require(try await handshake(pki, client: pki.admin, hostname: "kubernetes.default.svc"))
    let identity = try pki.clientCertificateAuthenticator.authenticate(leafDER: der)
    #expect(identity == ClientIdentity(user: "system:admin", groups: ["system:masters"]))
  }

  @Test func clientsWithoutCertificatesStillConnect() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await pki(dir)
    #expect(try await handshake(pki, client: nil, hostname: "localhost") == nil)
  }

  @Test func foreignClientCertificateFailsTheHandshake() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await pki(dir)
    let stranger = try CertificateAuthority.generate(commonName: "other").issue(
      subject: .init(commonName: "system:admin", organizations: ["system:masters"]), usage: .client)
    await #expect(throws: (any Error).self) {
      try await handshake(pki, client: stranger, hostname: "localhost")
    }
  }

  @Test func clientPinnedToAnotherCARefusesTheServer() async throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let pki = try await pki(dir)
    let other = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
    await #expect(throws: (any Error).self) {
      try await handshake(pki, client: nil, hostname: "kubernetes", trusting: other.certificatePEM)
    }
  }
}
