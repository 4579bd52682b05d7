import Foundation

/// WebSocket port-forwarding (`portforward.k8s.io` / `v4.channel.k8s.io`), as the API server's
/// websocket port-forward speaks it: per requested port `i`, channel `2i` carries data and
/// `2i+1` errors, and the first message the server sends on each is the port, 2 bytes little-
/// endian. One TCP connection per port, opened at once.
final class PortForwardSession: StreamSession {
  static let protocols = ["v4.channel.k8s.io", "portforward.k8s.io", "channel.k8s.io"]

  private let namespacePath: String
  private let ports: [UInt16]
  private let connections: [ForwardedConnection]

  init(namespacePath: String, ports: [UInt16]) {
    self.namespacePath = namespacePath
    self.ports = ports
    connections = ports.map { _ in ForwardedConnection() }
  }

  /// `?ports=8080,9090` or repeated `ports`; each must be 1–65535.
  static func ports(query: [String: [String]]) throws(KubeletError) -> [UInt16] {
    let texts = (query["ports"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }
    guard !texts.isEmpty else {
      throw KubeletError(.invalidArgument, "query parameter \"port\" is required")
    }
    var ports: [UInt16] = []
    for text in texts {
      guard let port = UInt16(text.trimmingCharacters(in: .whitespaces)), port > 0 else {
        throw KubeletError(.invalidArgument, "unable to parse \"\(text)\" as a port: must be 1-65535")
      }
      ports.append(port)
    }
    return ports
  }

  func start(_ connection: WebSocketConnection) {
    let remaining = LockedBox(ports.count)
    for (index, port) in ports.enumerated() {
      let data = UInt8(truncatingIfNeeded: index * 2)
      let error = data + 1
      let portBytes = [UInt8(port & 0xff), UInt8(port >> 8)]
      connection.send(RemoteCommandProtocol.frame(data, portBytes))
      connection.send(RemoteCommandProtocol.frame(error, portBytes))
      connections[index].start(
        namespacePath: namespacePath, port: port,
        onConnected: { failure in
          if let failure {
            connection.send(RemoteCommandProtocol.frame(error, Array(failure.message.utf8)))
          }
        },
        onData: { bytes in
          (try? connection.sendBlocking(RemoteCommandProtocol.frame(data, bytes))) != nil
        },
        onEnd: {
          if remaining.withLock({ count -> Int in
            count -= 1
            return count
          }) == 0 {
            connection.close()
          }
        })
    }
  }

  func receive(_ message: [UInt8]) {
    guard let channel = message.first, channel % 2 == 0, Int(channel / 2) < connections.count else { return }
    connections[Int(channel / 2)].write(Array(message.dropFirst()))
  }

  func clientClosed() {
    for connection in connections { connection.abort() }
  }
}
