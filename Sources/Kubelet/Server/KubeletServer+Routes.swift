import KubeAPI
import NIOHTTP1
import Runtime
import SkiffCore

extension KubeletServer {
  /// Plain HTTP requests; WebSocket upgrades go through `prepareSession` first and land here
  /// only when that refused them, so their error is answered the same way.
  func handle(_ request: KubeletRequest) async -> KubeletResponse {
    do {
      if request.path == "/healthz" {
        return .full(.ok, contentType: "text/plain; charset=utf-8", body: Array("ok".utf8))
      }
      try await authorize(request)
      let parts = request.path.split(separator: "/").map(String.init)
      switch parts.first {
      case "containerLogs":
        guard parts.count == 4 else {
          throw KubeletError(.notFound, "expected /containerLogs/{namespace}/{pod}/{container}")
        }
        return try await containerLogs(namespace: parts[1], pod: parts[2], container: parts[3], query: request.query)
      case "exec", "attach", "portForward":
        // Reached only when the upgrade was refused: prepare again for the precise error.
        _ = try await prepareSession(request)
        throw KubeletError(.invalidArgument, "Upgrade request required")
      case "stats":
        guard request.path == "/stats/summary" || request.path == "/stats/summary/" else {
          throw KubeletError(.notFound, "404 page not found")
        }
        let (node, pods, _) = await stats.collect()
        return .full(
          .ok, contentType: "application/json", body: try StatsSummary.render(node: node, pods: pods).serialized())
      case "metrics":
        guard request.path == "/metrics/resource" else { throw KubeletError(.notFound, "404 page not found") }
        let (node, pods, failed) = await stats.collect()
        return .full(
          .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
          body: Array(ResourceMetrics.render(node: node, pods: pods, scrapeError: failed).utf8))
      default:
        throw KubeletError(.notFound, "404 page not found")
      }
    } catch let error as KubeletError {
      return .error(error)
    } catch {
      return .error(KubeletError(.io, "\(error)"))
    }
  }

  private func authorize(_ request: KubeletRequest) async throws(KubeletError) {
    let user = try await auth.authenticate(
      peerCertificateDER: request.peerCertificateDER, authorization: request.headers.first(name: "authorization"))
    try await auth.authorize(
      user, verb: KubeletAuth.verb(method: request.method.rawValue),
      subresource: KubeletAuth.subresource(path: request.path))
  }

  /// Authenticates, authorizes and resolves an exec, attach or port-forward request into the
  /// session that will run after the 101, with the subprotocol chosen from the client's list.
  func prepareSession(_ request: KubeletRequest) async throws -> (any StreamSession, String?) {
    try await authorize(request)
    let parts = request.path.split(separator: "/").map(String.init)
    let offered = request.headers[canonicalForm: "Sec-WebSocket-Protocol"].map(String.init)
    guard let kind = parts.first, request.method == .GET || request.method == .POST else {
      throw KubeletError(.notFound, "404 page not found")
    }
    switch kind {
    case "exec", "attach":
      guard parts.count == 4 else { throw KubeletError(.notFound, "expected /\(kind)/{namespace}/{pod}/{container}") }
      let id = try await locator.containerID(namespace: parts[1], pod: parts[2], container: parts[3], previous: false)
      guard let chosen = RemoteCommandProtocol.negotiate(offered) else {
        throw KubeletError(
          .invalidArgument,
          "requested protocol(s) are not supported: \(offered); supports \(RemoteCommandProtocol.allCases.map(\.rawValue))"
        )
      }
      let options = StreamOptions(query: request.query)
      if kind == "attach" {
        return (AttachSession(runtime: runtime, containerID: id, options: options), chosen.rawValue)
      }
      let command = request.query["command"] ?? []
      guard !command.isEmpty else {
        throw KubeletError(.invalidArgument, "you must specify at least one command for the container")
      }
      return (ExecSession(runtime: runtime, containerID: id, command: command, options: options), chosen.rawValue)
    case "portForward":
      guard parts.count == 3 else { throw KubeletError(.notFound, "expected /portForward/{namespace}/{pod}") }
      let namespacePath = try await locator.networkNamespace(namespace: parts[1], pod: parts[2])
      if offered.contains(SPDYPortForwardSession.tunnelProtocol) {
        return (SPDYPortForwardSession(namespacePath: namespacePath), SPDYPortForwardSession.tunnelProtocol)
      }
      guard let chosen = offered.first(where: PortForwardSession.protocols.contains) else {
        throw KubeletError(
          .invalidArgument,
          "requested protocol(s) are not supported: \(offered); supports \([SPDYPortForwardSession.tunnelProtocol] + PortForwardSession.protocols)"
        )
      }
      let ports = try PortForwardSession.ports(query: request.query)
      return (PortForwardSession(namespacePath: namespacePath, ports: ports), chosen)
    default:
      throw KubeletError(.notFound, "404 page not found")
    }
  }

  private func containerLogs(namespace: String, pod: String, container: String, query: [String: [String]])
    async throws -> KubeletResponse
  {
    let options = try LogOptions(query: query, now: KubeTime(clock: SystemClock()))
    let id = try await locator.containerID(
      namespace: namespace, pod: pod, container: container, previous: options.previous)
    let path: String
    do { path = try runtime.logPath(id) } catch {
      throw KubeletError(.notFound, "container \"\(container)\" in pod \"\(pod)\" has no log: \(error)")
    }
    let runtime = self.runtime
    let reader = ContainerLogReader(
      path: path, options: options,
      isRunning: {
        let state = (try? runtime.status(id))?.state
        return state == .running || state == .created
      })
    // Opening early turns a missing file into a 404 instead of an empty 200.
    var probe = try LogFile(path: path)
    probe.close()
    return .stream(contentType: "text/plain") { write in try await reader.stream(to: write) }
  }
}
