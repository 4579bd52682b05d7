import Foundation
import KubeAPI
import KubeClient
import Kubelet
import Logging
import PKI
import SkiffTestSupport
import Testing

/// Joins agents to a real `skiff server` process on loopback.
@Suite(.serialized) struct JoinIntegrationTests {
  static func startServer() async throws -> (SkiffServerProcess, String, JoinToken) {
    let server = try SkiffServerProcess()
    try await server.waitReady(etcd: false)
    let token = try JoinToken(parsing: String(contentsOfFile: "\(server.dataDir)/server/token", encoding: .utf8))
    return (server, "https://127.0.0.1:\(server.apiPort)", token)
  }

  static func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("skiff-agent-\(UUID())").path
  }

  static func mode(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
  }

  static func refusal(_ body: () async throws -> Void) async -> KubeletError? {
    do {
      try await body()
      return nil
    } catch {
      return error as? KubeletError
    }
  }

  @Test func joinRejoinConflictAndRenewal() async throws {
    let (server, url, token) = try await Self.startServer()
    defer { server.stop() }
    let dataDir = Self.temporaryDirectory()
    let agent = AgentJoin(server: url, token: token, nodeName: "edge-1", nodeIPs: ["127.0.0.1"], dataDirectory: dataDir)

    // First join: every file written, keys and kubeconfig private, the kubeconfig works as system:node:edge-1.
    let credentials = try await agent.join()
    let paths = agent.paths
    for file in [paths.clientCA, paths.serverCA, paths.clientCertificate, paths.servingCertificate] {
      #expect(FileManager.default.fileExists(atPath: file))
    }
    for file in [paths.clientKey, paths.servingKey, paths.kubeconfig, paths.nodePassword] {
      #expect(try Self.mode(file) == 0o600, "\(file)")
    }
    #expect(credentials.client.subject == NodeJoin.subject(node: "edge-1"))
    #expect(credentials.serving.names == (try SubjectAltNames(dnsNames: ["edge-1"], ipAddresses: ["127.0.0.1"])))
    let node = KubeClient(transport: try HTTPTransport(HTTPTransport.Credentials(kubeconfig: paths.kubeconfig)))
    _ = try await node.list(.nodes)
    try await Self.checkNodeAuthorization(server: server, node: node)
    let csrs = try server.kubectl(
      "get", "csr", "-o",
      "jsonpath={range .items[*]}{.spec.username} {.status.conditions[0].reason} {.spec.signerName}{\"\\n\"}{end}")
    #expect(
      csrs.contains("system:bootstrap:skiff-cluster-token AutoApproved kubernetes.io/kube-apiserver-client-kubelet"))
    #expect(csrs.contains("system:bootstrap:skiff-cluster-token AutoApproved kubernetes.io/kubelet-serving"))
    let table = try server.kubectl("get", "csr")
    #expect(table.hasPrefix("NAME") && table.contains("SIGNERNAME") && table.contains("REQUESTOR"), "\(table)")
    #expect(table.contains("system:bootstrap:skiff-cluster-token") && table.contains("Approved,Issued"), "\(table)")
    let hash = try server.kubectl(
      "-n", "kube-system", "get", "secret", "edge-1.node-password.skiff", "-o", "jsonpath={.data.hash}")
    #expect(!hash.isEmpty)

    // Restart: the files are reused as they are.
    let again = try await agent.join()
    #expect(again.client.certificatePEM == credentials.client.certificatePEM)

    // Rejoin after losing the certificates (same password file): allowed, new certificates.
    try FileManager.default.removeItem(atPath: paths.clientCertificate)
    let rejoined = try await agent.join()
    #expect(rejoined.client.certificatePEM != credentials.client.certificatePEM)

    // Another machine claiming the same name is refused, with the way out in the message.
    let intruder = AgentJoin(
      server: url, token: token, nodeName: "edge-1", nodeIPs: ["127.0.0.2"], dataDirectory: Self.temporaryDirectory())
    let conflict = await Self.refusal { _ = try await intruder.join() }
    #expect(conflict?.code == .forbidden)
    #expect(
      conflict?.message.contains(
        "node \"edge-1\" is already registered by another machine (node password mismatch); if this machine "
          + "replaces it, run `kubectl delete node edge-1` and `kubectl -n kube-system delete secret "
          + "edge-1.node-password.skiff` on the server, or pick another --node-name") == true,
      "\(String(describing: conflict))")
    #expect(!FileManager.default.fileExists(atPath: intruder.paths.clientCertificate))

    // The right CA with the wrong secret: 401, nothing written.
    var wrong = token
    wrong.credentials = .password(user: "server", password: "not-the-secret")
    let stranger = AgentJoin(
      server: url, token: wrong, nodeName: "edge-9", nodeIPs: [], dataDirectory: Self.temporaryDirectory())
    let unauthorized = await Self.refusal { _ = try await stranger.join() }
    #expect(unauthorized?.code == .unauthorized, "\(String(describing: unauthorized))")
    #expect(!FileManager.default.fileExists(atPath: stranger.paths.clientCertificate))
    #expect((try? server.kubectl("-n", "kube-system", "get", "secret", "edge-9.node-password.skiff")) == nil)

    // Renewal through CSRs made with the node's own certificate; the Node reports its address.
    try server.kubectl(
      "apply", "-f", "-",
      input: #"{"apiVersion":"v1","kind":"Node","metadata":{"name":"edge-1"}}"#)
    try server.kubectl(
      "patch", "node", "edge-1", "--subresource", "status", "--type", "merge", "-p",
      #"{"status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}]}}"#)
    var policy = RenewalPolicy()
    policy.fraction = 0
    policy.expirationSeconds = 600
    policy.pollInterval = .milliseconds(200)
    policy.waitTimeout = .seconds(60)
    let renewed = try await agent.renewDue(rejoined, policy: policy)
    #expect(renewed.client.certificatePEM != rejoined.client.certificatePEM)
    #expect(renewed.serving.certificatePEM != rejoined.serving.certificatePEM)
    #expect(renewed.client.certificate.notValidAfter.timeIntervalSinceNow <= 601)
    #expect(try String(contentsOfFile: paths.servingCertificate, encoding: .utf8) == renewed.serving.certificatePEM)
    #expect(try String(contentsOfFile: paths.kubeconfig, encoding: .utf8) == renewed.kubeconfig.yaml)
    let selfRenewals = try server.kubectl(
      "get", "csr", "-o", "jsonpath={range .items[*]}{.spec.username}/{.status.conditions[0].reason}{\"\\n\"}{end}")
    #expect(selfRenewals.components(separatedBy: "system:node:edge-1/AutoApproved").count - 1 == 2)
    _ = try await (try renewed.kubeClient()).list(.nodes)

    // The loop renews a 10-minute certificate after a third of its 15-minute (backdated) lifetime: ~6 s.
    policy.fraction = 0.34
    let seen = AsyncStream<NodeCredentials>.makeStream()
    let loop = Task { await agent.renewLoop(renewed, policy: policy) { seen.continuation.yield($0) } }
    var iterator = seen.stream.makeAsyncIterator()
    let next = await iterator.next()
    loop.cancel()
    #expect(next.map { $0.client.certificatePEM != renewed.client.certificatePEM } == true)
  }

  /// A kubelet reads the secrets its pods use and nothing else, and writes only its own Node.
  static func checkNodeAuthorization(server: SkiffServerProcess, node: KubeClient) async throws {
    func status(_ body: () async throws -> Void) async -> Int? {
      do {
        try await body()
        return 200
      } catch {
        return (error as? KubeClientError)?.statusCode
      }
    }
    try server.kubectl("create", "secret", "generic", "app-secret", "--from-literal=a=b")
    try server.kubectl("create", "secret", "generic", "other-secret", "--from-literal=a=b")
    try server.kubectl(
      "create", "-f", "-",
      input:
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},"spec":{"#
        + #""nodeName":"edge-1","containers":[{"name":"c","image":"busybox","env":[{"name":"A","valueFrom":"#
        + #"{"secretKeyRef":{"name":"app-secret","key":"a"}}}]}]}}"#
    )
    try server.kubectl(
      "apply", "-f", "-", input: #"{"apiVersion":"v1","kind":"Node","metadata":{"name":"edge-other"}}"#)
    #expect(await status { _ = try await node.list(.secrets) } == 403)
    #expect(await status { _ = try await node.get(.secrets, namespace: "default", name: "other-secret") } == 403)
    #expect(await status { _ = try await node.get(.secrets, namespace: "default", name: "app-secret") } == 200)
    #expect(await status { _ = try await node.list(.pods, fieldSelector: "spec.nodeName=edge-1") } == 200)
    // NodeRestriction: only its own Node, only mirror pods bound to itself.
    #expect(
      await status {
        _ = try await node.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "edge-zz"]])
      } == 403)
    let pod: JSONValue = [
      "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "static-web", "namespace": "default"],
      "spec": ["nodeName": "edge-1", "containers": [["name": "c", "image": "busybox"]]],
    ]
    #expect(await status { _ = try await node.create(.pods, pod) } == 403)
    var mirror = pod
    mirror["metadata"]?["annotations"] = ["kubernetes.io/config.mirror": "hash"]
    #expect(await status { _ = try await node.create(.pods, mirror) } == 200)
    var elsewhere = mirror
    elsewhere["metadata"]?["name"] = "static-other"
    elsewhere["spec"]?["nodeName"] = "edge-other"
    #expect(await status { _ = try await node.create(.pods, elsewhere) } == 403)
    #expect(
      await status {
        _ = try await node.patch(.nodes, name: "edge-other", ["metadata": ["labels": ["x": "y"]]])
      } == 403)
  }

  @Test func bootstrapTokensFromTheCLI() async throws {
    let (server, url, clusterToken) = try await Self.startServer()
    defer { server.stop() }
    let cli = ["--data-dir", server.dataDir, "--server", url]
    let printed = try SkiffServerProcess.run(
      SkiffServerProcess.binary, ["token", "create", "--ttl", "1h", "--description", "edge rack 4"] + cli)
    let token = try JoinToken(parsing: printed)
    #expect(token.caHash == clusterToken.caHash)
    guard case .bootstrapToken(let id, _) = token.credentials else {
      Issue.record("not a bootstrap token: \(printed)")
      return
    }
    let listed = try SkiffServerProcess.run(SkiffServerProcess.binary, ["token", "list"] + cli)
    #expect(listed.hasPrefix("TOKEN"))
    #expect(listed.contains("\(id).") && listed.contains("edge rack 4") && listed.contains("authentication,signing"))

    // The bootstrap token joins a node, recorded as system:bootstrap:<id>.
    let agent = AgentJoin(
      server: url, token: token, nodeName: "edge-2", nodeIPs: ["127.0.0.1"], dataDirectory: Self.temporaryDirectory())
    _ = try await agent.join()
    let users = try server.kubectl("get", "csr", "-o", "jsonpath={.items[*].spec.username}")
    #expect(users.contains("system:bootstrap:\(id)"))

    // It also authenticates against the API as a bootstrapper, who may create CSRs but not read secrets.
    let asBootstrapper = KubeClient(
      transport: try HTTPTransport(
        HTTPTransport.Credentials(
          server: url,
          certificateAuthorityPEM: try String(contentsOfFile: agent.paths.serverCA, encoding: .utf8),
          bearerToken: token.secret)))
    _ = try await asBootstrapper.list(.certificateSigningRequests)
    do {
      _ = try await asBootstrapper.list(.secrets, namespace: "kube-system")
      Issue.record("a bootstrapper listed secrets")
    } catch {
      #expect((error as? KubeClientError)?.statusCode == 403)
    }

    // Without the K10 CA hash the agent trusts the CA it is shown first (and logs a warning).
    let unpinned = AgentJoin(
      server: url, token: try JoinToken(parsing: token.secret), nodeName: "edge-8", nodeIPs: [],
      dataDirectory: Self.temporaryDirectory())
    let trusted = try await unpinned.join()
    #expect(trusted.serverCAPEM == (try String(contentsOfFile: agent.paths.serverCA, encoding: .utf8)))

    // Deleted: gone from the list, refused at join.
    let deleted = try SkiffServerProcess.run(SkiffServerProcess.binary, ["token", "delete", id] + cli)
    #expect(deleted.contains("bootstrap token \"\(id)\" deleted"))
    #expect(!(try SkiffServerProcess.run(SkiffServerProcess.binary, ["token", "list"] + cli)).contains(id))
    let late = AgentJoin(
      server: url, token: token, nodeName: "edge-3", nodeIPs: [], dataDirectory: Self.temporaryDirectory())
    let refused = await Self.refusal { _ = try await late.join() }
    #expect(refused?.code == .unauthorized)
    #expect(refused?.message.contains("bootstrap token \(id) does not exist") == true, "\(String(describing: refused))")

    // An expired token is refused (and its Secret cleaned up).
    let expired = BootstrapToken(
      id: "expird", secret: "0123456789abcdef", expiration: Date().addingTimeInterval(-60))
    let data = expired.secretData.map { "\"\($0.key)\":\"\(Data($0.value.utf8).base64EncodedString())\"" }
      .joined(separator: ",")
    try server.kubectl(
      "create", "-f", "-",
      input:
        #"{"apiVersion":"v1","kind":"Secret","type":"bootstrap.kubernetes.io/token","metadata":"#
        + #"{"name":"bootstrap-token-expird","namespace":"kube-system"},"data":{"#
        + data + "}}")
    var expiredToken = token
    expiredToken.credentials = .bootstrapToken(id: "expird", secret: "0123456789abcdef")
    let tooLate = AgentJoin(
      server: url, token: expiredToken, nodeName: "edge-4", nodeIPs: [], dataDirectory: Self.temporaryDirectory())
    let expiredRefusal = await Self.refusal { _ = try await tooLate.join() }
    #expect(expiredRefusal?.code == .unauthorized)
    var cleaned = false
    for _ in 0..<50 where !cleaned {
      cleaned = (try? server.kubectl("-n", "kube-system", "get", "secret", "bootstrap-token-expird")) == nil
      if !cleaned { try await Task.sleep(for: .milliseconds(200)) }
    }
    #expect(cleaned)
  }

  @Test func badRequestsGetAPreciseStatusAndWriteNothing() async throws {
    let (server, url, token) = try await Self.startServer()
    defer { server.stop() }
    let ca = try String(contentsOfFile: "\(server.dataDir)/server/tls/server-ca.crt", encoding: .utf8)
    var credentials = HTTPTransport.Credentials(server: url, certificateAuthorityPEM: ca)
    credentials.bearerToken = token.description
    let transport = try HTTPTransport(credentials)
    func post(_ body: String) async throws -> (Int, String) {
      let response = try await transport.send(KubeRequest(method: "POST", path: NodeJoin.path, body: Array(body.utf8)))
      let status = try JSONValue.parse(response.body)
      #expect(status["kind"]?.stringValue == "Status")
      return (response.status, status["message"]?.stringValue ?? "")
    }
    #expect(try await post("{not json").0 == 400)
    #expect(
      try await post("[1]") == (
        400, "the request body must be a JSON object with nodeName, nodePassword, clientCSR and servingCSR"
      ))
    let (code, message) = try await post(#"{"nodeName":"Bad_Name","nodePassword":7}"#)
    #expect(code == 422)
    #expect(message.contains("nodePassword: Invalid value: 7: must be a string"), "\(message)")
    let subject = NodeJoin.subject(node: "edge-6")
    let client = try CertificateRequest.generate(subject: subject).csrPEM
    let foreign = try CertificateRequest.generate(subject: NodeJoin.subject(node: "edge-7")).csrPEM
    let serving = try CertificateRequest.generate(
      subject: subject, names: try SubjectAltNames(dnsNames: ["edge-6", "kubernetes"])
    ).csrPEM
    let request = NodeJoin.Request(nodeName: "edge-6", nodePassword: "pw", clientCSR: foreign, servingCSR: serving)
    let (csrCode, csrMessage) = try await post(String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
    #expect(csrCode == 422)
    #expect(csrMessage.contains("the CSR asks for node \"edge-7\" but nodeName is \"edge-6\""), "\(csrMessage)")
    #expect(csrMessage.contains("may only name the node itself (edge-6)"), "\(csrMessage)")
    let badName = NodeJoin.Request(nodeName: "Edge_6", nodePassword: "pw", clientCSR: client, servingCSR: serving)
    let (nameCode, nameMessage) = try await post(String(decoding: try JSONEncoder().encode(badName), as: UTF8.self))
    #expect(nameCode == 422 && nameMessage.contains("nodeName: Invalid value: \"Edge_6\""), "\(nameMessage)")
    #expect((try? server.kubectl("-n", "kube-system", "get", "secret", "edge-6.node-password.skiff")) == nil)
    #expect(try server.kubectl("get", "csr", "-o", "name").isEmpty)
  }

  @Test func aServerWithAnotherCAGetsNoCredential() async throws {
    let impostor = try await JoinRecordingServer()
    defer { Task { await impostor.stop() } }
    let realCA = try CertificateAuthority.generate(commonName: "real-ca")
    let token = JoinToken(
      caHash: JoinToken.caHash(pem: realCA.certificatePEM),
      credentials: .password(user: "server", password: "top-secret"))
    let agent = AgentJoin(
      server: "https://127.0.0.1:\(impostor.port)", token: token, nodeName: "edge-5", nodeIPs: [],
      dataDirectory: Self.temporaryDirectory())
    let refusal = await Self.refusal { _ = try await agent.join() }
    #expect(refusal?.code == .joinRefused)
    #expect(refusal?.message.contains("no credential was sent") == true, "\(String(describing: refusal))")
    #expect(impostor.requests == [.init(method: "GET", uri: "/cacerts", authorization: nil)])
    #expect(!FileManager.default.fileExists(atPath: agent.paths.clientCertificate))
  }
}
