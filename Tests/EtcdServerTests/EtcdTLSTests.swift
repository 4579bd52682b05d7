import Foundation
import SkiffTestSupport
import Testing

private let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
  FileManager.default.isExecutableFile(atPath: $0)
}

/// The etcd API over TCP with mutual TLS: clients without a certificate from the CA get nothing.
@Suite(
  .enabled(if: SkiffServerProcess.hasEtcdctl, "etcdctl not installed: apt-get install etcd-client to run"),
  .enabled(if: openssl != nil, "openssl not installed: apt-get install openssl to run"))
struct EtcdTLSTests {
  /// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl.
  private func certificates() throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-tls-\(UUID())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    func run(_ arguments: [String]) throws { _ = try SkiffServerProcess.run(openssl!, arguments) }
    try run([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=test-ca", "-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.crt",
    ])
    for (name, extensions) in [
      ("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"), ("client", "extendedKeyUsage=clientAuth"),
    ] {
      try extensions.write(toFile: "\(directory)/\(name).ext", atomically: true, encoding: .utf8)
      try run([
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(name)",
        "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr",
      ])
      try run([
        "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/ca.crt", "-CAkey",
        "\(directory)/ca.key",
        "-CAcreateserial", "-days", "1", "-extfile", "\(directory)/\(name).ext", "-out", "\(directory)/\(name).crt",
      ])
    }
    return directory
  }

  @Test func mutualTLSAdmitsOnlyClientsWithCertificates() async throws {
    let certs = try certificates()
    let port = Int.random(in: 30000...39999)
    let server = try SkiffServerProcess(arguments: [
      "--etcd-listen", "127.0.0.1:\(port)", "--etcd-cert-file", "\(certs)/server.crt",
      "--etcd-key-file", "\(certs)/server.key", "--etcd-client-ca-file", "\(certs)/ca.crt",
    ])
    defer { server.stop() }
    let endpoint = "https://127.0.0.1:\(port)"
    let withCertificate = [
      "--endpoints", endpoint, "--cacert", "\(certs)/ca.crt", "--cert", "\(certs)/client.crt", "--key",
      "\(certs)/client.key", "--dial-timeout", "2s",
    ]
    var ready = false
    for _ in 0..<100 where !ready {
      ready =
        (try? SkiffServerProcess.run(SkiffServerProcess.etcdctl!, withCertificate + ["put", "tls", "yes"])) != nil
      if !ready { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(ready, "etcdctl with a client certificate could not write:\n\(server.log)")
    #expect(
      try SkiffServerProcess.run(SkiffServerProcess.etcdctl!, withCertificate + ["get", "tls", "--print-value-only"])
        == "yes\n")
    #expect(throws: SkiffServerProcess.Failure.self) {
      try SkiffServerProcess.run(
        SkiffServerProcess.etcdctl!,
        [
          "--endpoints", endpoint, "--cacert", "\(certs)/ca.crt", "--dial-timeout", "2s", "--command-timeout", "3s",
          "get", "tls",
        ])
    }
  }
}
