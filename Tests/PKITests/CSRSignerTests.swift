import Foundation
import Testing

@testable import PKI

@Suite("CSR signing", .enabled(if: opensslAvailable))
struct CSRSignerTests {
  let serverCA: CertificateAuthority
  let clientCA: CertificateAuthority
  var signer: CSRSigner { CSRSigner(serverCA: serverCA, clientCA: clientCA) }

  init() throws {
    serverCA = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
    clientCA = try CertificateAuthority.generate(commonName: "skiff-client-ca@1")
  }

  /// A CSR made by the real openssl CLI, as a kubelet would send (key type and extensions as given).
  func opensslCSR(_ dir: TemporaryDirectory, subject: String, sans: String? = nil, key: String = "ec")
    throws -> (csr: String, keyFile: String)
  {
    let keyFile = dir.file("node.key")
    var arguments = ["req", "-new", "-nodes", "-keyout", keyFile, "-subj", subject, "-out", dir.file("node.csr")]
    arguments += key == "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] : ["-newkey", "rsa:2048"]
    if let sans { arguments += ["-addext", "subjectAltName=\(sans)"] }
    let made = try run("openssl", arguments)
    #expect(made.status == 0, "\(made.output)")
    return (try String(contentsOfFile: dir.file("node.csr"), encoding: .utf8), keyFile)
  }

  @Test func signsAKubeletClientCSRWithTheClientCA() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (pem, keyFile) = try opensslCSR(dir, subject: "/O=system:nodes/CN=system:node:edge-1")
    let request = try CertificateRequest(pem: pem)
    #expect(request.subject == CertificateSubject(commonName: "system:node:edge-1", organizations: ["system:nodes"]))
    #expect(try request.validateKubeletClient() == "edge-1")
    let now = Date()
    let certificate = try signer.sign(
      request, signerName: CSRSigner.kubeletClient, usages: ["digital signature", "key encipherment", "client auth"],
      expirationSeconds: 86400, now: now)
    let certFile = try dir.write("node.crt", certificate)
    let verify = try run(
      "openssl",
      [
        "verify", "-CAfile", try dir.write("ca.crt", clientCA.certificatePEM), "-purpose", "sslclient",
        certFile,
      ])
    #expect(verify.status == 0, "\(verify.output)")
    let certKey = try run("openssl", ["x509", "-noout", "-pubkey", "-in", certFile]).output
    let nodeKey = try run("openssl", ["pkey", "-pubout", "-in", keyFile]).output
    #expect(certKey == nodeKey, "the certificate carries the requester's key")
    let identity = try ClientCertificateAuthenticator(trusting: [clientCA.certificate]).authenticate(
      leafPEM: certificate, now: now)
    #expect(identity == ClientIdentity(user: "system:node:edge-1", groups: ["system:nodes"]))
    let leaf = try CertificateAuthority.parseCertificate(certificate, what: "node")
    #expect(abs(leaf.notValidAfter.timeIntervalSince(now) - 86400) < 2)
  }

  @Test func signsAKubeletServingCSRWithTheServerCA() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (pem, _) = try opensslCSR(
      dir, subject: "/O=system:nodes/CN=system:node:edge-1", sans: "DNS:edge-1,IP:10.0.0.5", key: "rsa")
    let request = try CertificateRequest(pem: pem)
    #expect(request.names == (try SubjectAltNames(dnsNames: ["edge-1"], ipAddresses: ["10.0.0.5"])))
    #expect(try request.validateKubeletServing() == "edge-1")
    #expect(throws: PKIError.self) { try request.validateKubeletClient() }
    let certificate = try signer.sign(
      request, signerName: CSRSigner.kubeletServing, usages: ["digital signature", "server auth"])
    let certFile = try dir.write("serving.crt", certificate)
    let caFile = try dir.write("server-ca.crt", serverCA.certificatePEM)
    let verify = try run("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslserver", certFile])
    #expect(verify.status == 0, "\(verify.output)")
    let text = try run("openssl", ["x509", "-noout", "-text", "-in", certFile]).output
    #expect(text.contains("DNS:edge-1") && text.contains("IP Address:10.0.0.5"))
    #expect(text.contains("TLS Web Server Authentication"))
    let days = try CertificateAuthority.parseCertificate(certificate, what: "c").notValidAfter.timeIntervalSinceNow
    #expect(days > 364 * 86400 && days <= 365 * 86400, "no expirationSeconds: the signer's one-year maximum")
  }

  @Test func enforcesEachSignersRules() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let wrongGroup = try CertificateRequest(pem: opensslCSR(dir, subject: "/O=system:masters/CN=system:node:x").csr)
    #expect(throws: PKIError.self) {
      try signer.sign(wrongGroup, signerName: CSRSigner.kubeletClient, usages: ["client auth"])
    }
    let withNames = try CertificateRequest(
      pem: opensslCSR(dir, subject: "/O=system:nodes/CN=system:node:x", sans: "DNS:x").csr)
    #expect(throws: PKIError.self) {
      try signer.sign(withNames, signerName: CSRSigner.kubeletClient, usages: ["client auth"])
    }
    #expect(throws: PKIError.self) {
      try signer.sign(withNames, signerName: CSRSigner.kubeletServing, usages: ["client auth"])
    }
    let noNames = try CertificateRequest(pem: opensslCSR(dir, subject: "/O=system:nodes/CN=system:node:x").csr)
    #expect(throws: PKIError.self) {
      try signer.sign(noNames, signerName: CSRSigner.kubeletServing, usages: ["server auth"])
    }
    #expect(throws: PKIError.self) {
      try signer.sign(noNames, signerName: "example.com/custom", usages: ["client auth"])
    }
    let email = try CertificateRequest(
      pem: opensslCSR(dir, subject: "/O=system:nodes/CN=system:node:x", sans: "DNS:x,email:a@b.c").csr)
    #expect(email.otherNames == ["email:a@b.c"])
    #expect(throws: PKIError.self) { try email.validateKubeletServing() }
    let user = try CertificateRequest(pem: opensslCSR(dir, subject: "/O=dev/CN=jane").csr)
    let pem = try signer.sign(
      user, signerName: CSRSigner.apiServerClient, usages: ["client auth"], expirationSeconds: 1)
    let leaf = try CertificateAuthority.parseCertificate(pem, what: "jane")
    #expect(leaf.notValidAfter.timeIntervalSinceNow > 590, "expirationSeconds is raised to upstream's 600 s minimum")
    #expect(signer.handles(signerName: CSRSigner.kubeletServing) && !signer.handles(signerName: "x/y"))
  }

  @Test func generatedCSRIsReadByOpenSSLAndSigned() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let subject = CertificateSubject(commonName: "system:node:edge-2", organizations: ["system:nodes"])
    let names = try SubjectAltNames(dnsNames: ["edge-2"], ipAddresses: ["10.0.0.6"])
    let (csrPEM, keyPEM) = try CertificateRequest.generate(subject: subject, names: names)
    let csrFile = try dir.write("edge-2.csr", csrPEM)
    let check = try run("openssl", ["req", "-in", csrFile, "-noout", "-verify", "-text"])
    #expect(check.status == 0, "\(check.output)")
    #expect(check.output.contains("DNS:edge-2") && check.output.contains("IP Address:10.0.0.6"))
    #expect(check.output.contains("O = system:nodes, CN = system:node:edge-2"))
    let request = try CertificateRequest(pem: csrPEM)
    #expect(request.subject == subject && request.names == names)
    let certificate = try signer.sign(request, signerName: CSRSigner.kubeletServing, usages: ["server auth"])
    _ = try LeafCertificate(certificatePEM: certificate, privateKeyPEM: keyPEM)
    let clientCSR = try CertificateRequest.generate(subject: subject)
    #expect(try CertificateRequest(pem: clientCSR.csrPEM).validateKubeletClient() == "edge-2")
  }

  @Test func refusesABrokenSignatureOrGarbage() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (pem, _) = try opensslCSR(dir, subject: "/O=system:nodes/CN=system:node:edge-1")
    let der = dir.file("node.der")
    #expect(try run("openssl", ["req", "-in", dir.file("node.csr"), "-outform", "DER", "-out", der]).status == 0)
    var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: der)))
    _ = try CertificateRequest(der: bytes)
    // The subject's CN text sits inside the signed part: flipping one letter breaks the self-signature.
    let marker = Array("edge-1".utf8)
    let at = try #require((0..<(bytes.count - marker.count)).first { Array(bytes[$0..<$0 + marker.count]) == marker })
    bytes[at] = UInt8(ascii: "f")
    #expect(throws: PKIError.invalidCSR("its signature does not match its public key")) {
      try CertificateRequest(der: bytes)
    }
    #expect(throws: PKIError.self) { try CertificateRequest(pem: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n") }
    #expect(!pem.isEmpty)
  }
}
