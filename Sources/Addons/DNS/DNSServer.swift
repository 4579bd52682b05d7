import NIOCore
import NIOPosix

/// The UDP and TCP listeners of one address. UDP reads up to 32 datagrams per syscall
/// (recvmmsg) and answers them in one flush.
enum DNSServer {
  static let vectorReads = 32
  static let maxDatagram = 2048

  /// Binds UDP and TCP on `address` (or adopts sockets already bound, e.g. inside another
  /// network namespace) and answers with `queries`.
  static func bind(
    _ address: SocketAddress, queries: DNSQueryHandler, group: any EventLoopGroup,
    sockets: (udp: NIOBSDSocket.Handle, tcp: NIOBSDSocket.Handle)? = nil
  ) async throws -> [any Channel] {
    let udpBootstrap = DatagramBootstrap(group: group)
      .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
      .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: vectorReads)
      .channelOption(
        ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReads * maxDatagram)
      )
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(DNSUDPServerHandler(queries: queries))
        }
      }
    let udp: any Channel
    if let sockets {
      udp = try await udpBootstrap.withBoundSocket(sockets.udp).get()
    } else {
      udp = try await udpBootstrap.bind(to: address).get()
    }
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
      return [udp, tcp]
    } catch {
      try? await udp.close()
      throw error
    }
  }
}
