import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// How the API server reaches kubelets: TLS with its kubelet client certificate, the kubelet's
/// serving certificate checked against the cluster's server CA (which signs kubelet-serving
/// CSRs). Host names are not checked: a kubelet's certificate names the node, while the API
/// server dials the node's address.
public struct KubeletClientCredentials: Sendable {
  public var certificatePEM: String
  public var keyPEM: String
  public var caPEM: String

  public init(certificatePEM: String, keyPEM: String, caPEM: String) {
    self.certificatePEM = certificatePEM
    self.keyPEM = keyPEM
    self.caPEM = caPEM
  }
}

/// One HTTP/1.1 exchange with a kubelet over a raw TLS connection: the request goes out as
/// bytes, the response head is parsed here, and what follows is either a body (logs) or, after
/// a 101, the upgraded stream that the API server splices to its client.
struct KubeletClient: Sendable {
  let context: NIOSSLContext

  init(_ credentials: KubeletClientCredentials) throws {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(credentials.certificatePEM.utf8)).map {
      .certificate($0)
    }
    tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(credentials.keyPEM.utf8), format: .pem))
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(credentials.caPEM.utf8)))
    tls.certificateVerification = .noHostnameVerification
    tls.applicationProtocols = ["http/1.1"]
    context = try NIOSSLContext(configuration: tls)
  }

  struct ResponseHead: Sendable {
    var status: Int
    var headers: [(String, String)]
    /// The head exactly as received, for passing a 101 through unchanged.
    var raw: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
  }

  struct Exchange: Sendable {
    let connection: RawConnection
    let head: ResponseHead
    /// Bytes after the head that arrived with it.
    let leftover: [UInt8]
  }

  /// Connects, sends `method path` with `headers`, and reads the response head.
  func send(host: String, port: Int, method: String, path: String, headers: [(String, String)]) async throws
    -> Exchange
  {
    let context = self.context
    let hostname = host.contains(":") ? nil : host
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelOption(.autoRead, value: false)
      .connectTimeout(.seconds(10))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let verifiedName = hostname.flatMap { $0.first?.isNumber == true ? nil : $0 }
          try channel.pipeline.syncOperations.addHandler(
            try NIOSSLClientHandler(context: context, serverHostname: verifiedName))
        }
      }
      .connect(host: host, port: port).get()
    let connection = try await channel.eventLoop.submit { try RawConnection(channel: channel) }.get()
    var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host.contains(":") ? "[\(host)]" : host):\(port)\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    do {
      // Not awaited: with reads on demand, the TLS handshake (which holds this write back)
      // only progresses once the read below asks the socket for the server's answer.
      connection.channel.writeAndFlush(ByteBuffer(bytes: Array(request.utf8)), promise: nil)
      var received: [UInt8] = []
      while true {
        guard var buffer = try await connection.read() else {
          throw KubeletClientError("the kubelet at \(host):\(port) closed the connection before answering")
        }
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        if let end = Self.headEnd(received) {
          let head = try Self.parseHead(Array(received[..<end]))
          return Exchange(connection: connection, head: head, leftover: Array(received[end...]))
        }
        if received.count > 64 * 1024 { throw KubeletClientError("the kubelet's response head is too large") }
      }
    } catch {
      connection.close()
      throw error
    }
  }

  static func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for index in 3..<bytes.count
    where bytes[index] == 10 && bytes[index - 1] == 13 && bytes[index - 2] == 10 && bytes[index - 3] == 13 {
      return index + 1
    }
    return nil
  }

  static func parseHead(_ raw: [UInt8]) throws -> ResponseHead {
    let lines = String(decoding: raw, as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
    guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
      throw KubeletClientError("the kubelet sent a malformed response: \(lines.first ?? "")")
    }
    var headers: [(String, String)] = []
    for line in lines.dropFirst() where !line.isEmpty {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers.append(
        (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }
    return ResponseHead(status: status, headers: headers, raw: raw)
  }
}

struct KubeletClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// A kubelet response body: chunked, sized, or up to the end of the connection.
struct KubeletBody {
  private var decoder: ChunkedDecoder?
  private var remaining: Int?

  init(head: KubeletClient.ResponseHead) {
    if head.header("transfer-encoding")?.lowercased().contains("chunked") == true {
      decoder = ChunkedDecoder()
    } else if let length = head.header("content-length").flatMap(Int.init) {
      remaining = length
    }
  }

  /// Body bytes in `bytes`; `done` once the body is complete.
  mutating func feed(_ bytes: [UInt8]) throws -> (data: [UInt8], done: Bool) {
    if decoder != nil {
      let result = try decoder!.feed(bytes)
      return result
    }
    if let remaining {
      let take = Array(bytes.prefix(remaining))
      self.remaining = remaining - take.count
      return (take, self.remaining == 0)
    }
    return (bytes, false)
  }

  var isComplete: Bool { remaining == 0 }
}

/// `Transfer-Encoding: chunked`, decoded incrementally.
struct ChunkedDecoder {
  private var buffer: [UInt8] = []
  private var chunkRemaining = 0
  private var inTrailer = false
  private var finished = false

  mutating func feed(_ bytes: [UInt8]) throws -> (data: [UInt8], done: Bool) {
    buffer += bytes
    var out: [UInt8] = []
    var offset = 0
    while !finished {
      if chunkRemaining > 0 {
        let take = min(chunkRemaining, buffer.count - offset)
        guard take > 0 else { break }
        out += buffer[offset..<(offset + take)]
        offset += take
        chunkRemaining -= take
        if chunkRemaining == 0 { chunkRemaining = -2 }  // the CRLF after the data
        continue
      }
      guard let lineEnd = Self.lineEnd(buffer, from: offset) else { break }
      let line = String(decoding: buffer[offset..<lineEnd], as: UTF8.self)
      offset = lineEnd + 2
      if chunkRemaining == -2 {
        chunkRemaining = 0
        continue
      }
      if inTrailer {
        if line.isEmpty { finished = true }
        continue
      }
      let sizeText = line.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
      guard let size = Int(sizeText, radix: 16) else { throw KubeletClientError("bad chunk size \"\(line)\"") }
      if size == 0 { inTrailer = true } else { chunkRemaining = size }
    }
    buffer.removeFirst(offset)
    return (out, finished)
  }

  private static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
    guard bytes.count - start >= 2 else { return nil }
    for index in start..<(bytes.count - 1) where bytes[index] == 13 && bytes[index + 1] == 10 { return index }
    return nil
  }
}
