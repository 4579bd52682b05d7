import Controllers
import Foundation
import KubeAPI
import KubeClient
import PKI
import Testing

@Suite struct CertificateSigningControllerTests {
  static func request(_ name: String, commonName: String) throws -> JSONValue {
    let (pem, _) = try CertificateRequest.generate(
      subject: CertificateSubject(commonName: commonName, organizations: ["system:nodes"]))
    return [
      "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["name": .string(name)],
      "spec": [
        "request": .string(Data(pem.utf8).base64EncodedString()),
        "signerName": "kubernetes.io/kube-apiserver-client-kubelet", "usages": ["digital signature", "client auth"],
        // A requester's claim about itself is ignored: the server records who sent the request.
        "username": "system:node:somebody-else",
      ],
    ]
  }

  static func certificate(_ cluster: TestCluster, _ name: String) async throws -> String {
    try await cluster.eventually("certificate for \(name)") {
      let csr = try await cluster.client.get(.certificateSigningRequests, name: name)
      return csr["status"]?["certificate"]?.stringValue.flatMap { Data(base64Encoded: $0) }
        .map { String(decoding: $0, as: UTF8.self) }
    }
  }

  @Test func nodeClientRequestsAreApprovedAndSignedOthersWaitForKubectl() async throws {
    let signer = CSRSigner(
      serverCA: try .generate(commonName: "test-server-ca"), clientCA: try .generate(commonName: "test-client-ca"))
    let cluster = try await TestCluster.start {
      [CSRApprovingController(context: $0), CertificateSigningController(context: $0, signer: signer)]
    }
    defer { Task { await cluster.stop() } }
    // A node asks for its own client certificate: approved and signed by the controller.
    let node = KubeClient(transport: cluster.api.inProcessTransport(user: "system:node:n1", groups: ["system:nodes"]))
    try await node.create(.certificateSigningRequests, try Self.request("node-n1", commonName: "system:node:n1"))
    let stored = try await cluster.client.get(.certificateSigningRequests, name: "node-n1")
    #expect(stored["spec"]?["username"]?.stringValue == "system:node:n1")
    #expect(try await Self.certificate(cluster, "node-n1").hasPrefix("-----BEGIN CERTIFICATE-----"))
    let approved = try await cluster.client.get(.certificateSigningRequests, name: "node-n1")
    let condition = approved["status"]?["conditions"]?[0]
    #expect(condition?["type"]?.stringValue == "Approved" && condition?["reason"]?.stringValue == "AutoApproved")

    // Anyone else's request for a node identity waits for an administrator.
    try await cluster.client.create(
      .certificateSigningRequests, try Self.request("other-n2", commonName: "system:node:n2"))
    try await Task.sleep(for: .milliseconds(500))
    let waiting = try await cluster.client.get(.certificateSigningRequests, name: "other-n2")
    #expect(waiting["status"]?["certificate"] == nil)
    _ = try await cluster.kubectl("certificate", "approve", "other-n2")
    #expect(try await Self.certificate(cluster, "other-n2").hasPrefix("-----BEGIN CERTIFICATE-----"))
  }
}
