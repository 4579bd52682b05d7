import Foundation
import KubeClient
import PKI
import SkiffTestSupport
import Testing
import X509

@testable import Kubelet

/// `skiff certificate rotate-ca` against a real `skiff server`: after the rotation and a restart,
/// kubeconfigs, tokens and nodes from before keep working, and nodes move to the new CAs.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct CARotationIntegrationTests {
  static func certificates(_ path: String) throws -> [Certificate] {
    PEMBundle.certificates(try String(contentsOfFile: path, encoding: .utf8))
  }

  static func issuer(_ path: String) throws -> String {
    try #require(try certificates(path).first).issuer.description
  }

  @Test func nodesTokensAndKubeconfigsFromBeforeKeepWorking() async throws {
    var (server, url, oldToken) = try await JoinIntegrationTests.startServer()
    let dataDir = server.dataDir
    defer { server.stop() }
    let tls = "\(dataDir)/server/tls"
    let oldServerCA = try String(contentsOfFile: "\(tls)/server-ca.crt", encoding: .utf8)
    let agentDir = JoinIntegrationTests.temporaryDirectory()
    let agent = AgentJoin(
      server: url, token: oldToken, nodeName: "edge-1", nodeIPs: ["127.0.0.1"], dataDirectory: agentDir)
    _ = try await agent.join()
    let oldKubeconfig = JoinIntegrationTests.temporaryDirectory() + ".yaml"
    try FileManager.default.copyItem(atPath: server.kubeconfig, toPath: oldKubeconfig)
    defer { try? FileManager.default.removeItem(atPath: oldKubeconfig) }

    // The rotation answers with the token that pins the new CAs; the same secret.
    let output = try await SkiffServerProcess.skiff([
      "certificate", "rotate-ca", "--data-dir", dataDir, "--server", url,
    ])
    let newToken = try JoinToken(parsing: try #require(output.split(separator: "\n").last.map(String.init)))
    #expect(newToken.secret == oldToken.secret && newToken.caHash != nil && newToken.caHash != oldToken.caHash)
    #expect(output.contains("Restart every server, then every agent"))

    server.stop()
    server = try SkiffServerProcess(
      dataDir: dataDir, arguments: ["--https-listen-port", String(server.apiPort), "--bind-address", "127.0.0.1"])
    try await server.waitReady(etcd: false)
    #expect(try String(contentsOfFile: "\(dataDir)/server/token", encoding: .utf8) == "\(newToken)\n")
    let newServerCA = try String(contentsOfFile: "\(tls)/server-ca.crt", encoding: .utf8)
    #expect(newServerCA != oldServerCA)
    #expect(
      try Self.issuer("\(tls)/serving-kube-apiserver.crt")
        == (try Certificate(pemEncoded: newServerCA)).subject.description)

    // kubectl with the kubeconfig from before (old CA, old admin certificate) and the new one.
    let old = try SkiffServerProcess.run(
      try #require(SkiffServerProcess.kubectlPath), ["--kubeconfig", oldKubeconfig, "get", "namespaces", "-o", "name"])
    #expect(old.contains("namespace/default"))
    #expect(try server.kubectl("get", "namespaces", "-o", "name").contains("namespace/default"))

    // The node from before: keeps its files, fetches the new bundles, and renews its
    // certificates from the new CAs.
    let stored = try await agent.join()
    #expect(try Self.certificates(agent.paths.serverCA).count == 2)
    #expect(try Self.certificates(agent.paths.clientCA).count == 2)
    #expect(stored.clientFromRetiredCA && stored.servingFromRetiredCA)
    let renewed = try await agent.renewDue(stored, policy: RenewalPolicy())
    #expect(!renewed.clientFromRetiredCA && !renewed.servingFromRetiredCA)
    let node = KubeClient(transport: try HTTPTransport(renewed.transportCredentials))
    _ = try await node.list(.nodes)

    // New nodes join with the old token (the server proves its chain to the CA it pins) and
    // with the new one; both get certificates from the new CAs.
    for (name, token) in [("edge-2", oldToken), ("edge-3", newToken)] {
      let fresh = AgentJoin(
        server: url, token: token, nodeName: name, nodeIPs: ["127.0.0.1"],
        dataDirectory: JoinIntegrationTests.temporaryDirectory())
      let credentials = try await fresh.join()
      #expect(!credentials.clientFromRetiredCA && !credentials.servingFromRetiredCA, "\(name)")
    }
  }

  @Test func operatorCAsAreCheckedBeforeAnythingChanges() async throws {
    let (server, url, _) = try await JoinIntegrationTests.startServer()
    defer { server.stop() }
    let directory = JoinIntegrationTests.temporaryDirectory()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    func rotate() async throws -> String {
      try await SkiffServerProcess.skiff([
        "certificate", "rotate-ca", "--data-dir", server.dataDir, "--server", url, "--path", directory,
      ])
    }
    let tls = "\(server.dataDir)/server/tls"
    func rotationFails(containing message: String) async {
      let failure = await #expect(throws: SkiffServerProcess.Failure.self) { try await rotate() }
      #expect(failure?.output.contains(message) == true, "\(failure?.output ?? "")")
    }

    await rotationFails(containing: "holds neither server-ca.crt/.key nor client-ca.crt/.key")
    let ca = try CertificateAuthority.generate(commonName: "edge-fleet-server-ca")
    try ca.certificatePEM.write(toFile: "\(directory)/server-ca.crt", atomically: true, encoding: .utf8)
    await rotationFails(containing: "has only one of server-ca.crt and server-ca.key")
    // The current client CA again: refused, since chains could not tell the two apart.
    try ca.privateKeyPEM.write(toFile: "\(directory)/server-ca.key", atomically: true, encoding: .utf8)
    try FileManager.default.copyItem(atPath: "\(tls)/client-ca.crt", toPath: "\(directory)/client-ca.crt")
    try FileManager.default.copyItem(atPath: "\(tls)/client-ca.key", toPath: "\(directory)/client-ca.key")
    await rotationFails(containing: "has the subject of the CA it replaces")
    try FileManager.default.removeItem(atPath: "\(directory)/client-ca.crt")
    try FileManager.default.removeItem(atPath: "\(directory)/client-ca.key")

    // Only a server CA given: it is used, the client CA is generated.
    let output = try await rotate()
    let token = try JoinToken(parsing: try #require(output.split(separator: "\n").last.map(String.init)))
    let current = try String(contentsOfFile: "\(tls)/server-ca.crt", encoding: .utf8)
    try token.verify(caBundlePEM: current + "\n" + ca.certificatePEM)
  }
}
