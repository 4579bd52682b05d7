import Foundation

/// Port-forwarding as kubectl 1.32 speaks it to the API server by default: SPDY/3.1 tunnelled
/// in WebSocket binary messages (subprotocol `SPDY/3.1+portforward.k8s.io`, feature
/// PortForwardWebsockets). For each local connection kubectl opens an error stream and a data
/// stream carrying `streamtype`, `port` and `requestid` headers; once both exist we dial the
/// port inside the pod and copy. The API server passes the tunnel through unchanged, so the
/// SPDY end lives here, next to the pod.
final class SPDYPortForwardSession: StreamSession, @unchecked Sendable {
  static let tunnelProtocol = "SPDY/3.1+portforward.k8s.io"

  private let namespacePath: String
  // Touched only on the connection's event loop (receive / clientClosed).
  private var parser = SPDYFrameParser()
  private var decompressor: SPDYHeaderDecompressor?
  private var compressor = SPDYHeaderCompressor()
  private var connection: WebSocketConnection?
  private var streams: [UInt32: StreamInfo] = [:]
  private var pairs: [String: Pair] = [:]

  private struct StreamInfo {
    var isData: Bool
    var requestID: String
  }

  private struct Pair {
    var errorStream: UInt32?
    var dataStream: UInt32?
    var port: UInt16 = 0
    var forwarded: ForwardedConnection?
  }

  init(namespacePath: String) {
    self.namespacePath = namespacePath
  }

  func start(_ connection: WebSocketConnection) {
    self.connection = connection
    decompressor = try? SPDYHeaderDecompressor()
  }

  func receive(_ message: [UInt8]) {
    guard let connection else { return }
    let frames: [SPDYFrame]
    do {
      frames = try parser.feed(message)
    } catch {
      connection.send(SPDYFrame.goAway(lastStreamID: 0).bytes)
      connection.close()
      return
    }
    for frame in frames { handle(frame, connection) }
  }

  private func handle(_ frame: SPDYFrame, _ connection: WebSocketConnection) {
    switch frame {
    case .synStream(let id, _, let block):
      guard let decompressor, let plain = try? decompressor.decompress(block),
        let headers = SPDYHeaderBlock.decode(plain)
      else {
        connection.send(SPDYFrame.goAway(lastStreamID: id).bytes)
        connection.close()
        return
      }
      accept(id, headers: headers, connection)
    case .headers(_, _, let block):
      _ = try? decompressor?.decompress(block)
    case .synReply(_, _, let block):
      _ = try? decompressor?.decompress(block)
    case .data(let id, let flags, let payload):
      guard let info = streams[id], info.isData, let forwarded = pairs[info.requestID]?.forwarded else { return }
      if !payload.isEmpty { forwarded.write(payload) }
      if flags & SPDYFrame.flagFin != 0 { forwarded.endInput() }
    case .rstStream(let id, _):
      guard let info = streams.removeValue(forKey: id) else { return }
      if info.isData { pairs[info.requestID]?.forwarded?.abort() }
    case .ping(let id):
      connection.send(SPDYFrame.ping(id: id).bytes)
    case .goAway:
      clientClosed()
      connection.close()
    case .settings, .windowUpdate, .unknown:
      break
    }
  }

  private func accept(_ id: UInt32, headers: [String: String], _ connection: WebSocketConnection) {
    connection.send(
      SPDYFrame.synReply(
        streamID: id, flags: 0,
        headerBlock: compressor.compress(
          SPDYHeaderBlock.encode([]))
      ).bytes)
    let type = headers["streamtype"] ?? ""
    guard type == "data" || type == "error", let port = headers["port"].flatMap({ UInt16($0) }), port > 0 else {
      connection.send(SPDYFrame.rstStream(streamID: id, status: SPDYFrame.refusedStream).bytes)
      return
    }
    let requestID = headers["requestid"] ?? "\(id)"
    streams[id] = StreamInfo(isData: type == "data", requestID: requestID)
    var pair = pairs[requestID] ?? Pair()
    pair.port = port
    if type == "data" { pair.dataStream = id } else { pair.errorStream = id }
    pairs[requestID] = pair
    guard let errorStream = pair.errorStream, let dataStream = pair.dataStream, pair.forwarded == nil else { return }
    let forwarded = ForwardedConnection()
    pairs[requestID]?.forwarded = forwarded
    let loop = connection.channel.eventLoop
    forwarded.start(
      namespacePath: namespacePath, port: port,
      onConnected: { failure in
        guard let failure else { return }
        let text = "error forwarding port \(port) to pod: \(failure.message)"
        connection.send(SPDYFrame.data(streamID: errorStream, flags: 0, payload: Array(text.utf8)).bytes)
      },
      onData: { bytes in
        (try? connection.sendBlocking(SPDYFrame.data(streamID: dataStream, flags: 0, payload: bytes).bytes)) != nil
      },
      onEnd: { [self] in
        connection.send(SPDYFrame.data(streamID: dataStream, flags: SPDYFrame.flagFin, payload: []).bytes)
        connection.send(SPDYFrame.data(streamID: errorStream, flags: SPDYFrame.flagFin, payload: []).bytes)
        // The session lives until its streams end; this forgets them on its loop.
        loop.execute {
          self.streams[dataStream] = nil
          self.streams[errorStream] = nil
          self.pairs[requestID] = nil
        }
      })
  }

  func clientClosed() {
    for pair in pairs.values { pair.forwarded?.abort() }
    pairs = [:]
    streams = [:]
  }
}
