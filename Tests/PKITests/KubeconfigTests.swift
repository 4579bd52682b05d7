import Foundation
import Testing

@testable import PKI

let kubectlAvailable = (try? run("kubectl", ["version", "--client"]).status) == 0

@Suite("Kubeconfig")
struct KubeconfigTests {
  func sample() throws -> (CertificateAuthority, LeafCertificate) {
    let ca = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
    let client = try CertificateAuthority.generate(commonName: "skiff-client-ca@1")
    let admin = try client.issue(
      subject: .init(commonName: "system:admin", organizations: ["system:masters"]), usage: .client)
    return (ca, admin)
  }

  @Test func yamlHasK3sLayout() throws {
    let (ca, admin) = try sample()
    let config = Kubeconfig(
      server: "https://127.0.0.1:6443", certificateAuthorityPEM: ca.certificatePEM,
      credentials: .clientCertificate(certificatePEM: admin.certificatePEM, keyPEM: admin.privateKeyPEM))
    let caData = Data(ca.certificatePEM.utf8).base64EncodedString()
    let certData = Data(admin.certificatePEM.utf8).base64EncodedString()
    let keyData = Data(admin.privateKeyPEM.utf8).base64EncodedString()
    #expect(
      config.yaml == """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(caData)
            server: https://127.0.0.1:6443
          name: default
        contexts:
        - context:
            cluster: default
            user: default
          name: default
        current-context: default
        kind: Config
        preferences: {}
        users:
        - name: default
          user:
            client-certificate-data: \(certData)
            client-key-data: \(keyData)

        """)
  }

  @Test func writesWithTheRequestedMode() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (ca, admin) = try sample()
    let config = Kubeconfig(
      server: "https://10.0.0.1:6443", certificateAuthorityPEM: ca.certificatePEM,
      credentials: .clientCertificate(certificatePEM: admin.certificatePEM, keyPEM: admin.privateKeyPEM))
    let path = dir.file("etc/skiff/skiff.yaml")
    try config.write(to: path)
    #expect(try fileMode(path) == 0o600)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == config.yaml)
    try config.write(to: path, mode: 0o644)
    #expect(try fileMode(path) == 0o644)
  }

  @Test func quotesScalarsYAMLWouldMisread() {
    #expect(Kubeconfig.scalar("default") == "default")
    #expect(Kubeconfig.scalar("system:node:edge-1") == "system:node:edge-1")
    #expect(Kubeconfig.scalar("https://[::1]:6443") == "\"https://[::1]:6443\"")
    #expect(Kubeconfig.scalar("yes") == "\"yes\"")
    #expect(Kubeconfig.scalar("10.0.0.1") == "\"10.0.0.1\"")
    #expect(Kubeconfig.scalar("a: b") == "\"a: b\"")
    #expect(Kubeconfig.scalar("say \"hi\"") == "\"say \\\"hi\\\"\"")
  }

  @Test(.enabled(if: kubectlAvailable)) func kubectlReadsWhatWeWrite() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (ca, admin) = try sample()
    let path = dir.file("admin.yaml")
    try Kubeconfig(
      server: "https://[::1]:6443", certificateAuthorityPEM: ca.certificatePEM,
      credentials: .clientCertificate(certificatePEM: admin.certificatePEM, keyPEM: admin.privateKeyPEM)
    ).write(to: path)
    func view(_ path: String, _ jsonPath: String) throws -> String {
      let result = try run("kubectl", ["config", "view", "--raw", "--kubeconfig", path, "-o", "jsonpath=\(jsonPath)"])
      #expect(result.status == 0, "\(result.output)")
      return result.output
    }
    #expect(try view(path, "{.clusters[0].cluster.server}") == "https://[::1]:6443")
    #expect(try view(path, "{.current-context}") == "default")
    let key = try view(path, "{.users[0].user.client-key-data}")
    #expect(Data(base64Encoded: key).map { String(decoding: $0, as: UTF8.self) } == admin.privateKeyPEM)
    let caData = try view(path, "{.clusters[0].cluster.certificate-authority-data}")
    #expect(Data(base64Encoded: caData).map { String(decoding: $0, as: UTF8.self) } == ca.certificatePEM)

    let nodePath = dir.file("node.yaml")
    try Kubeconfig(
      server: "https://10.0.0.1:6443", certificateAuthorityPEM: ca.certificatePEM, credentials: .token("abc.def"),
      clusterName: "skiff", userName: "system:node:edge-1", contextName: "node"
    ).write(to: nodePath, mode: 0o640)
    #expect(try view(nodePath, "{.users[0].name}") == "system:node:edge-1")
    #expect(try view(nodePath, "{.users[0].user.token}") == "abc.def")
    #expect(try view(nodePath, "{.contexts[0].context.cluster}") == "skiff")
    #expect(try fileMode(nodePath) == 0o640)
  }
}
