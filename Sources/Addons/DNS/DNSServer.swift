import Dispatch
import NIOCore
import NIOPosix

/// The UDP and TCP listeners of one address: UDP on a datagram loop of its own, TCP on NIO.
struct DNSListener: Sendable {
  let udp: DNSDatagramLoop
  let tcp: any Channel

  /// Where UDP listens (the port resolved when 0 was asked).
  var address: SocketAddress? { udp.localAddress }
  var tcpAddress: SocketAddress? { tcp.localAddress }

  /// Stops both; the UDP thread's exit (up to its receive timeout) is awaited off the
  /// cooperative pool.
  func close() async {
    let udp = self.udp
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async {
        udp.stop()
        continuation.resume()
      }
    }
    try? await tcp.close()
  }
}

enum DNSServer {
  /// Binds UDP and TCP on `address` (or adopts sockets already bound, e.g. inside another
  /// network namespace) and answers with `queries`.
  static func bind(
    _ address: SocketAddress, queries: DNSQueryHandler, group: any EventLoopGroup,
    sockets: (udp: NIOBSDSocket.Handle, tcp: NIOBSDSocket.Handle)? = nil
  ) async throws -> DNSListener {
    let udpSocket = try sockets?.udp ?? DNSDatagramLoop.bind(address)
    let udp = DNSDatagramLoop(socket: udpSocket, queries: queries, eventLoop: group.next())
    let tcpBootstrap = ServerBootstrap(group: group)
      .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
      .serverChannelOption(ChannelOptions.backlog, value: 128)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let operations = channel.pipeline.syncOperations
          try operations.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
          try operations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
          try operations.addHandler(DNSTCPServerHandler(queries: queries))
        }
      }
    do {
      let tcp: any Channel
      if let sockets {
        tcp = try await tcpBootstrap.withBoundSocket(sockets.tcp).get()
      } else {
        tcp = try await tcpBootstrap.bind(to: udp.localAddress ?? address).get()
      }
      udp.start()
      return DNSListener(udp: udp, tcp: tcp)
    } catch {
      udp.stop()
      throw error
    }
  }
}
