import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// HTTPS on one port, HTTP/2 and HTTP/1.1 by ALPN, handing whole requests to `handler`.
final class HTTPServer: Sendable {
  typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

  let host: String
  let port: Int
  let tls: TLSConfiguration
  let maxBodyBytes: Int
  let handler: Handler
  let logger: Logger

  init(host: String, port: Int, tls: TLSConfiguration, maxBodyBytes: Int, logger: Logger, handler: @escaping Handler) {
    self.host = host
    self.port = port
    self.tls = tls
    self.maxBodyBytes = maxBodyBytes
    self.handler = handler
    self.logger = logger
  }

  /// Binds and returns the listening channel; close it to stop accepting.
  func start(group: EventLoopGroup) async throws -> Channel {
    let context = try NIOSSLContext(configuration: tls)
    let handler = self.handler
    let limit = maxBodyBytes
    let logger = self.logger
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
          channel.configureCommonHTTPServerPipeline { stream in
            stream.eventLoop.makeCompletedFuture {
              // The TLS handler is on this channel for HTTP/1.1 and on the parent connection of an
              // HTTP/2 stream (an HTTP/1.1 connection's parent is the listener, on another loop).
              let tls =
                (try? stream.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self))
                ?? (try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self))
              let peer = tls?.peerCertificate
              let der = peer.flatMap { try? $0.toDERBytes() }
              try stream.pipeline.syncOperations.addHandler(
                HTTPRequestHandler(peerCertificateDER: der, maxBodyBytes: limit, logger: logger, handler: handler))
            }
          }
        }
      }
    return try await bootstrap.bind(host: host, port: port).get()
  }
}
