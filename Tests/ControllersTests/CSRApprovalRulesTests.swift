import Controllers
import Foundation
import KubeAPI
import KubeClient
import PKI
import Testing

/// Which node CSRs the approver lets through without an administrator.
@Suite struct CSRApprovalRulesTests {
  static func csr(
    signer: String, commonName: String, organizations: [String] = ["system:nodes"], names: SubjectAltNames? = nil,
    usages: [String], username: String, groups: [String]
  ) throws -> JSONValue {
    let (pem, _) = try CertificateRequest.generate(
      subject: CertificateSubject(commonName: commonName, organizations: organizations), names: names)
    return [
      "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["name": "c"],
      "spec": [
        "request": .string(Data(pem.utf8).base64EncodedString()), "signerName": .string(signer),
        "usages": .array(usages.map(JSONValue.string)), "username": .string(username),
        "groups": .array(groups.map(JSONValue.string)),
      ],
    ]
  }

  static let client = ["digital signature", "key encipherment", "client auth"]
  static let serving = ["digital signature", "key encipherment", "server auth"]
  static let node: JSONValue = [
    "metadata": ["name": "n1"],
    "status": [
      "addresses": [["type": "InternalIP", "address": "10.0.0.5"], ["type": "Hostname", "address": "n1.lan"]]
    ],
  ]

  static func isApproved(_ decision: CSRApprovalRules.Decision) -> Bool {
    if case .approve = decision { return true }
    return false
  }

  @Test func clientCertificatesForBootstrappersAndSelfRenewal() throws {
    let nodes: (String) -> JSONValue? = { _ in nil }
    let bootstrapper = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n1", usages: Self.client,
      username: "system:bootstrap:abcdef", groups: ["system:bootstrappers", "system:authenticated"])
    #expect(Self.isApproved(CSRApprovalRules.decide(bootstrapper, node: nodes)))
    let renewal = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n1", usages: Self.client,
      username: "system:node:n1", groups: ["system:nodes", "system:authenticated"])
    #expect(Self.isApproved(CSRApprovalRules.decide(renewal, node: nodes)))
    // A node may not obtain another node's identity.
    let stolen = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n2", usages: Self.client,
      username: "system:node:n1", groups: ["system:nodes", "system:authenticated"])
    #expect(!Self.isApproved(CSRApprovalRules.decide(stolen, node: nodes)))
    // A user is not a bootstrapper; a node client cert with server usage is not a client cert.
    let user = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n1", usages: Self.client, username: "alice",
      groups: ["system:authenticated"])
    #expect(!Self.isApproved(CSRApprovalRules.decide(user, node: nodes)))
    let wrongUsage = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n1", usages: Self.serving,
      username: "system:bootstrap:abcdef", groups: ["system:bootstrappers"])
    #expect(!Self.isApproved(CSRApprovalRules.decide(wrongUsage, node: nodes)))
    let admins = try Self.csr(
      signer: CSRSigner.kubeletClient, commonName: "system:node:n1", organizations: ["system:masters"],
      usages: Self.client, username: "system:bootstrap:abcdef", groups: ["system:bootstrappers"])
    #expect(!Self.isApproved(CSRApprovalRules.decide(admins, node: nodes)))
  }

  @Test func servingCertificatesOnlyForTheNodesOwnNamesAndAddresses() throws {
    let nodes: (String) -> JSONValue? = { $0 == "n1" ? Self.node : nil }
    func serving(_ cn: String, dns: [String], ips: [String], username: String = "system:node:n1") throws -> JSONValue {
      try Self.csr(
        signer: CSRSigner.kubeletServing, commonName: cn,
        names: try SubjectAltNames(dnsNames: dns, ipAddresses: ips), usages: Self.serving, username: username,
        groups: ["system:nodes", "system:authenticated"])
    }
    #expect(
      Self.isApproved(
        CSRApprovalRules.decide(try serving("system:node:n1", dns: ["n1"], ips: ["10.0.0.5"]), node: nodes)))
    #expect(
      Self.isApproved(
        CSRApprovalRules.decide(try serving("system:node:n1", dns: ["n1", "n1.lan"], ips: []), node: nodes)))
    // An address the Node does not report, a foreign DNS name, or someone else's request: left pending.
    #expect(
      !Self.isApproved(
        CSRApprovalRules.decide(try serving("system:node:n1", dns: ["n1"], ips: ["10.0.0.9"]), node: nodes)))
    #expect(
      !Self.isApproved(
        CSRApprovalRules.decide(try serving("system:node:n1", dns: ["kubernetes"], ips: []), node: nodes)))
    #expect(!Self.isApproved(CSRApprovalRules.decide(try serving("system:node:n2", dns: ["n2"], ips: []), node: nodes)))
    let bootstrapper = try serving(
      "system:node:n1", dns: ["n1"], ips: ["10.0.0.5"], username: "system:bootstrap:abcdef")
    #expect(!Self.isApproved(CSRApprovalRules.decide(bootstrapper, node: nodes)))
    // Without a Node object yet, IPs cannot be checked; DNS names still must be the node's name.
    #expect(
      Self.isApproved(
        CSRApprovalRules.decide(
          try serving("system:node:n3", dns: ["n3"], ips: ["10.9.9.9"], username: "system:node:n3"), node: nodes)))
    // Other signers are not this controller's business.
    let other = try Self.csr(
      signer: "example.com/custom", commonName: "x", usages: Self.client, username: "x", groups: [])
    #expect(CSRApprovalRules.decide(other, node: nodes) == .ignore)
  }

  @Test func theApproverAndSignerAnswerANodesRenewal() async throws {
    let signer = CSRSigner(
      serverCA: try .generate(commonName: "test-server-ca"), clientCA: try .generate(commonName: "test-client-ca"))
    let cluster = try await TestCluster.start {
      [CSRApprovingController(context: $0), CertificateSigningController(context: $0, signer: signer)]
    }
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"]])
    var node = try await cluster.client.get(.nodes, name: "n1")
    node["status"] = Self.node["status"]
    _ = try await cluster.client.update(.nodes, node, subresource: "status")
    let asNode = KubeClient(transport: cluster.api.inProcessTransport(user: "system:node:n1", groups: ["system:nodes"]))
    let names = try SubjectAltNames(dnsNames: ["n1"], ipAddresses: ["10.0.0.5"])
    let (pem, _) = try CertificateRequest.generate(subject: NodeJoin.subject(node: "n1"), names: names)
    let (foreign, _) = try CertificateRequest.generate(
      subject: NodeJoin.subject(node: "n1"), names: try SubjectAltNames(dnsNames: ["n1"], ipAddresses: ["10.0.0.77"]))
    for (name, request) in [("serving-foreign", foreign), ("serving-ok", pem)] {
      try await asNode.create(
        .certificateSigningRequests,
        [
          "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
          "metadata": ["name": .string(name)],
          "spec": [
            "request": .string(Data(request.utf8).base64EncodedString()),
            "signerName": .string(CSRSigner.kubeletServing),
            "usages": .array(Self.serving.map(JSONValue.string)), "expirationSeconds": 600,
          ],
        ])
    }
    let certificate = try await CertificateSigningControllerTests.certificate(cluster, "serving-ok")
    #expect(certificate.hasPrefix("-----BEGIN CERTIFICATE-----"))
    let approved = try await cluster.client.get(.certificateSigningRequests, name: "serving-ok")
    #expect(approved["status"]?["conditions"]?[0]?["reason"]?.stringValue == "AutoApproved")
    try await Task.sleep(for: .milliseconds(500))
    let pending = try await cluster.client.get(.certificateSigningRequests, name: "serving-foreign")
    #expect(pending["status"]?["certificate"] == nil && pending["status"]?["conditions"] == nil)
  }
}
