import KubeAPI
import NIOCore
import NIOHTTP1

/// The pod subresources the kubelet answers (log, exec, attach, portforward) and nodes/proxy:
/// the API server checks the pod and container as upstream does, then relays to the kubelet of
/// the pod's node. Logs are streamed through; upgrades (WebSocket, including kubectl's SPDY
/// tunnel for port-forward) are passed through byte for byte after the kubelet's 101.
extension ResourceHandler {
  static let upgradeSubresources: Set<ResourceDefinition.Subresource> = [.exec, .attach, .portforward]

  func podLog(name: String) async throws(APIError) -> HTTPResponse {
    let (pod, _) = try await current(name: name)
    let container = try Self.container(in: pod, named: request.parameter("container"), name: name, forLogs: true)
    var query: [(String, String)] = []
    for key in ["follow", "previous", "timestamps", "tailLines", "limitBytes", "sinceSeconds", "sinceTime"] {
      if let value = request.parameter(key), !value.isEmpty { query.append((key, value)) }
    }
    let path = "/containerLogs/\(target.namespace ?? "")/\(name)/\(container)" + Self.queryString(query)
    let (host, port) = try await kubeletAddress(of: pod, name: name)
    return try await relayGET(host: host, port: port, path: path)
  }

  /// exec, attach and portforward: a WebSocket upgrade relayed to the kubelet.
  func podUpgrade(name: String, kind: ResourceDefinition.Subresource) async throws(APIError) -> HTTPResponse {
    guard request.headers.first(name: "upgrade")?.lowercased() == "websocket" else {
      throw APIError.badRequest("Upgrade request required")
    }
    let (pod, _) = try await current(name: name)
    let namespace = target.namespace ?? ""
    let path: String
    switch kind {
    case .portforward:
      path =
        "/portForward/\(namespace)/\(name)" + Self.queryString((request.query["ports"] ?? []).map { ("ports", $0) })
    default:
      let container = try Self.container(in: pod, named: request.parameter("container"), name: name, forLogs: false)
      var query: [(String, String)] = []
      if kind == .exec {
        let command = request.query["command"] ?? []
        guard !command.isEmpty else {
          throw APIError.badRequest("you must specify at least one command for the container")
        }
        query += command.map { ("command", $0) }
      }
      for (api, kubelet) in [("stdin", "input"), ("stdout", "output"), ("stderr", "error"), ("tty", "tty")]
      where request.flag(api) {
        query.append((kubelet, "1"))
      }
      path = "/\(kind == .exec ? "exec" : "attach")/\(namespace)/\(name)/\(container)" + Self.queryString(query)
    }
    if pod["status"]?["phase"]?.stringValue == "Succeeded" || pod["status"]?["phase"]?.stringValue == "Failed" {
      throw APIError.badRequest(
        "cannot \(kind == .portforward ? "port-forward to" : kind.rawValue + " into") a container in a completed pod; current phase is \(pod["status"]?["phase"]?.stringValue ?? "")"
      )
    }
    let (host, port) = try await kubeletAddress(of: pod, name: name)
    var headers: [(String, String)] = [("Connection", "Upgrade"), ("Upgrade", "websocket")]
    for header in ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol"] {
      for value in request.headers[header] { headers.append((header, value)) }
    }
    let exchange = try await exchange(
      host: host, port: port, method: request.method.rawValue, path: path, headers: headers)
    guard exchange.head.status == 101 else {
      throw await Self.failure(from: exchange)
    }
    return .takeOver { client in
      do {
        try await client.write(exchange.head.raw + exchange.leftover)
      } catch {
        exchange.connection.close()
        return
      }
      await RawConnection.splice(client, exchange.connection)
    }
  }

  /// `nodes/<name>/proxy/<path>`: GET passed to that node's kubelet (stats, metrics, logs).
  func nodeProxy(name: String, subresource: String) async throws(APIError) -> HTTPResponse {
    guard request.method == .GET else {
      throw APIError(code: 405, reason: "MethodNotAllowed", message: "only GET is proxied to the kubelet")
    }
    let (node, _) = try await current(name: name)
    let (host, port) = try Self.kubeletAddress(ofNode: node, name: name)
    let rest = subresource.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    var query: [(String, String)] = []
    for (key, values) in request.query.sorted(by: { $0.key < $1.key }) { query += values.map { (key, $0) } }
    return try await relayGET(host: host, port: port, path: "/" + rest + Self.queryString(query))
  }

  /// upstream's container check: the only container when none is named, else a known name.
  static func container(in pod: JSONValue, named: String?, name: String, forLogs: Bool) throws(APIError) -> String {
    let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    let initContainers = (pod["spec"]?["initContainers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    let ephemeral = (pod["spec"]?["ephemeralContainers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    guard let named, !named.isEmpty else {
      if containers.count == 1 { return containers[0] }
      if containers.isEmpty { throw APIError.badRequest("a container name must be specified for pod \(name)") }
      var message =
        "a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]"
      if forLogs && !initContainers.isEmpty {
        message += " or one of the init containers: [\(initContainers.joined(separator: " "))]"
      }
      throw APIError.badRequest(message)
    }
    guard containers.contains(named) || initContainers.contains(named) || ephemeral.contains(named) else {
      throw APIError.badRequest("container \(named) is not valid for pod \(name)")
    }
    return named
  }

  private func kubeletAddress(of pod: JSONValue, name: String) async throws(APIError) -> (String, Int) {
    guard let nodeName = pod["spec"]?["nodeName"]?.stringValue, !nodeName.isEmpty else {
      throw APIError.badRequest("pod \(name) does not have a host assigned")
    }
    guard let nodes = state.registry.lookup(group: "", version: "v1", plural: "nodes") else {
      throw APIError.internalError("nodes are not served")
    }
    let handler = ResourceHandler(
      state: state, definition: nodes, target: target, request: request, user: user)
    let (node, _) = try await handler.current(name: nodeName)
    return try Self.kubeletAddress(ofNode: node, name: nodeName)
  }

  /// InternalIP first, then Hostname, then any address; the port the node reports.
  static func kubeletAddress(ofNode node: JSONValue, name: String) throws(APIError) -> (String, Int) {
    let addresses = (node["status"]?["addresses"]?.arrayValue ?? []).compactMap { entry -> (String, String)? in
      guard let type = entry["type"]?.stringValue, let address = entry["address"]?.stringValue, !address.isEmpty
      else { return nil }
      return (type, address)
    }
    let preferred = ["InternalIP", "Hostname", "ExternalIP", "InternalDNS", "ExternalDNS"]
    guard
      let address = preferred.lazy.compactMap({ type in addresses.first { $0.0 == type }?.1 }).first
        ?? addresses.first?.1
    else {
      throw APIError.unavailable("node \(name) reports no address for its kubelet")
    }
    let port = node["status"]?["daemonEndpoints"]?["kubeletEndpoint"]?["Port"]?.intValue ?? 10250
    return (address, Int(port))
  }

  private func exchange(host: String, port: Int, method: String, path: String, headers: [(String, String)])
    async throws(APIError) -> KubeletClient.Exchange
  {
    guard let client = state.kubelet else {
      throw APIError.unavailable("this API server has no kubelet client credentials configured")
    }
    do {
      return try await client.send(host: host, port: port, method: method, path: path, headers: headers)
    } catch {
      throw APIError.internalError("error dialing the kubelet at \(host):\(port): \(error)")
    }
  }

  /// A GET whose body streams through (followed logs end when the kubelet ends them, or when
  /// our client leaves, which closes the kubelet connection).
  private func relayGET(host: String, port: Int, path: String) async throws(APIError) -> HTTPResponse {
    let exchange = try await exchange(host: host, port: port, method: "GET", path: path, headers: [])
    guard exchange.head.status == 200 else { throw await Self.failure(from: exchange) }
    var headers = HTTPHeaders()
    headers.add(name: "content-type", value: exchange.head.header("content-type") ?? "text/plain")
    return .stream(status: .ok, headers: headers) { writer in
      let connection = exchange.connection
      try await withTaskCancellationHandler {
        defer { connection.close() }
        var body = KubeletBody(head: exchange.head)
        var (data, done) = try body.feed(exchange.leftover)
        if !data.isEmpty { try await writer.write(data) }
        while !done, var buffer = try await connection.read() {
          (data, done) = try body.feed(buffer.readBytes(length: buffer.readableBytes) ?? [])
          if !data.isEmpty { try await writer.write(data) }
        }
      } onCancel: {
        connection.close()
      }
    }
  }

  /// The kubelet's refusal as a Status with its code and text.
  private static func failure(from exchange: KubeletClient.Exchange) async -> APIError {
    var body = KubeletBody(head: exchange.head)
    var text: [UInt8] = []
    if let (data, done) = try? body.feed(exchange.leftover) {
      text += data
      var finished = done
      while !finished, text.count < 64 * 1024, var buffer = try? await exchange.connection.read() {
        guard let (more, end) = try? body.feed(buffer.readBytes(length: buffer.readableBytes) ?? []) else { break }
        text += more
        finished = end
      }
    }
    exchange.connection.close()
    let message = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let code = exchange.head.status
    let reason =
      switch code {
      case 400: "BadRequest"
      case 401: "Unauthorized"
      case 403: "Forbidden"
      case 404: "NotFound"
      default: "InternalError"
      }
    return APIError(code: code, reason: reason, message: message.isEmpty ? "the kubelet answered \(code)" : message)
  }

  static func queryString(_ pairs: [(String, String)]) -> String {
    guard !pairs.isEmpty else { return "" }
    return "?" + pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
  }

  private static func escape(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }
}
