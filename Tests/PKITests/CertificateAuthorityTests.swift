import Crypto
import Foundation
import Testing
import X509

@testable import PKI

@Suite("Certificate authority and leaves")
struct CertificateAuthorityTests {
  @Test func caRoundTripsThroughPEM() throws {
    let ca = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
    let loaded = try CertificateAuthority(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM)
    #expect(loaded.certificate == ca.certificate)
    #expect(loaded.certificatePEM == ca.certificatePEM)
    #expect(try loaded.certificate.serializeAsPEM().pemString == ca.certificatePEM)
    #expect(CertificateSubject(loaded.certificate.subject).commonName == "skiff-server-ca@1")
    let days = ca.certificate.notValidAfter.timeIntervalSince(Date()) / 86400
    #expect(abs(days - 3650) < 0.01, "ten years, as K3s's 3650 days")
  }

  @Test(.enabled(if: opensslAvailable)) func opensslReadsTheCAAsACA() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let ca = try CertificateAuthority.generate(commonName: "skiff-client-ca@7")
    let text = try run("openssl", ["x509", "-noout", "-text", "-in", dir.write("ca.crt", ca.certificatePEM)])
    #expect(text.status == 0)
    #expect(text.output.contains("CA:TRUE"))
    #expect(text.output.contains("Certificate Sign"))
    #expect(text.output.contains("Subject: CN = skiff-client-ca@7"))
    #expect(text.output.contains("ecdsa-with-SHA256"))
    let key = try run("openssl", ["pkey", "-noout", "-check", "-in", dir.write("ca.key", ca.privateKeyPEM)])
    #expect(key.status == 0, "\(key.output)")
  }

  @Test(.enabled(if: opensslAvailable)) func servingLeafVerifiesWithOpenSSLAndCarriesItsNames() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let ca = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
    let names = try SubjectAltNames(
      dnsNames: ["kubernetes", "kubernetes.default.svc.cluster.local", "localhost"],
      ipAddresses: ["127.0.0.1", "10.43.0.1", "fd00::1"])
    let leaf = try ca.issue(subject: .init(commonName: "kube-apiserver"), names: names, usage: .server)
    let caFile = try dir.write("ca.crt", ca.certificatePEM)
    let leafFile = try dir.write("leaf.crt", leaf.certificatePEM)
    let verify = try run("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslserver", leafFile])
    #expect(verify.status == 0, "\(verify.output)")
    #expect(verify.output.contains("leaf.crt: OK"))
    let asClient = try run("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslclient", leafFile])
    #expect(asClient.status != 0, "a server-only leaf must not pass as a client certificate")
    let text = try run("openssl", ["x509", "-noout", "-text", "-in", leafFile]).output
    for name in [
      "DNS:kubernetes", "DNS:kubernetes.default.svc.cluster.local", "DNS:localhost", "IP Address:127.0.0.1",
      "IP Address:10.43.0.1", "IP Address:FD00:0:0:0:0:0:0:1", "TLS Web Server Authentication", "CA:FALSE",
    ] {
      #expect(text.contains(name), "missing \(name)")
    }
    let days = leaf.certificate.notValidAfter.timeIntervalSince(Date()) / 86400
    #expect(abs(days - 365) < 0.01)
    #expect(leaf.names == names)
  }

  @Test(.enabled(if: opensslAvailable)) func clientLeafCarriesUserAndGroups() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let ca = try CertificateAuthority.generate(commonName: "skiff-client-ca@1")
    let leaf = try ca.issue(
      subject: .init(commonName: "system:admin", organizations: ["system:masters"]), usage: .client)
    let caFile = try dir.write("ca.crt", ca.certificatePEM)
    let leafFile = try dir.write("admin.crt", leaf.certificatePEM)
    let verify = try run("openssl", ["verify", "-CAfile", caFile, "-purpose", "sslclient", leafFile])
    #expect(verify.status == 0, "\(verify.output)")
    let subject = try run("openssl", ["x509", "-noout", "-subject", "-in", leafFile]).output
    #expect(subject.contains("subject=O = system:masters, CN = system:admin"))
    #expect(leaf.subject == CertificateSubject(commonName: "system:admin", organizations: ["system:masters"]))
    let keyFile = try dir.write("admin.key", leaf.privateKeyPEM)
    let certKey = try run("openssl", ["x509", "-noout", "-pubkey", "-in", leafFile]).output
    let ownKey = try run("openssl", ["pkey", "-pubout", "-in", keyFile]).output
    #expect(certKey == ownKey)
  }

  @Test(.enabled(if: opensslAvailable)) func loadsAnOpenSSLMadeCAWithSEC1Key() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let keyFile = dir.file("ca.key")
    let certFile = dir.file("ca.crt")
    #expect(try run("openssl", ["ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", keyFile]).status == 0)
    let made = try run(
      "openssl",
      [
        "req", "-x509", "-new", "-key", keyFile, "-subj", "/CN=external-ca", "-days", "30", "-out", certFile,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,digitalSignature",
      ])
    #expect(made.status == 0, "\(made.output)")
    let keyPEM = try String(contentsOfFile: keyFile, encoding: .utf8)
    #expect(keyPEM.contains("BEGIN EC PRIVATE KEY"))
    let ca = try CertificateAuthority(
      certificatePEM: String(contentsOfFile: certFile, encoding: .utf8), privateKeyPEM: keyPEM)
    let leaf = try ca.issue(subject: .init(commonName: "x"), usage: .client)
    let verify = try run("openssl", ["verify", "-CAfile", certFile, try dir.write("x.crt", leaf.certificatePEM)])
    #expect(verify.status == 0, "\(verify.output)")
    #expect(ca.issued(leaf.certificate))
  }

  @Test func refusesAKeyThatIsNotTheCertificates() throws {
    let ca = try CertificateAuthority.generate(commonName: "a")
    let other = try CertificateAuthority.generate(commonName: "b")
    #expect(throws: PKIError.keyMismatch(what: "server-ca.crt")) {
      try CertificateAuthority(
        certificatePEM: ca.certificatePEM, privateKeyPEM: other.privateKeyPEM, name: "server-ca.crt")
    }
    let leaf = try ca.issue(subject: .init(commonName: "leaf"), usage: .client)
    #expect(throws: PKIError.self) {
      try CertificateAuthority(certificatePEM: leaf.certificatePEM, privateKeyPEM: leaf.privateKeyPEM)
    }
    #expect(!other.issued(leaf.certificate))
    #expect(throws: PKIError.self) { try LeafCertificate(certificatePEM: "garbage", privateKeyPEM: leaf.privateKeyPEM) }
  }

  @Test func renewalRuleIsNinetyDays() throws {
    let now = Date()
    let ca = try CertificateAuthority.generate(commonName: "ca", now: now.addingTimeInterval(-400 * 86400))
    let old = try ca.issue(
      subject: .init(commonName: "old"), usage: .server, now: now.addingTimeInterval(-276 * 86400))
    let borderline = try ca.issue(
      subject: .init(commonName: "fresh"), usage: .server, now: now.addingTimeInterval(-274 * 86400))
    #expect(old.needsRenewal(now: now), "89 days left")
    #expect(!borderline.needsRenewal(now: now), "91 days left")
    #expect(try ca.issue(subject: .init(commonName: "new"), usage: .server, now: now).needsRenewal(now: now) == false)
  }

  @Test func leafNeverOutlivesItsCA() throws {
    let now = Date()
    let ca = try CertificateAuthority.generate(commonName: "ca", now: now.addingTimeInterval(-3600 * 86400))
    let leaf = try ca.issue(subject: .init(commonName: "x"), usage: .client, now: now)
    #expect(leaf.certificate.notValidAfter == ca.certificate.notValidAfter)
  }

  @Test func sortsAndCanonicalisesNames() throws {
    let names = try SubjectAltNames(mixed: ["example.com", "10.0.0.1", "::0001", "*.apps.local", "10.0.0.1"])
    #expect(names.dnsNames == ["example.com", "*.apps.local"])
    #expect(names.ipAddresses == ["10.0.0.1", "::1"])
    #expect(throws: PKIError.invalidName("bad name!")) { try SubjectAltNames(mixed: ["bad name!"]) }
    #expect(throws: PKIError.invalidName("300.1.1.1")) { try SubjectAltNames(ipAddresses: ["300.1.1.1"]) }
    let more = try SubjectAltNames(dnsNames: ["example.com", "b"])
    #expect(names.union(more).dnsNames == ["example.com", "*.apps.local", "b"])
    #expect(!more.isSubset(of: names))
    #expect(try SubjectAltNames(dnsNames: ["example.com"]).isSubset(of: names))
  }
}
