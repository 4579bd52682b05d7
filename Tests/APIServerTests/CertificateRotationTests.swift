import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// `skiff certificate check|rotate` with the real binary: rotated leaves are reissued at the next
/// start by the same CAs, so a client that trusts the CA reconnects without any change.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct CertificateRotationTests {
  @Test func rotatedCertificatesAreReissuedAndClientsReconnect() async throws {
    var server = try SkiffServerProcess()
    let dataDir = server.dataDir
    defer {
      server.stop()
      try? FileManager.default.removeItem(atPath: dataDir)
    }
    try await server.waitReady()
    let serving = "\(dataDir)/server/tls/serving-kube-apiserver.crt"
    let before = try String(contentsOfFile: serving, encoding: .utf8)
    let ca = try String(contentsOfFile: "\(dataDir)/server/tls/server-ca.crt", encoding: .utf8)

    let check = try await SkiffServerProcess.skiff(["certificate", "check", "--data-dir", dataDir])
    for service in ["ca", "api-server", "admin"] { #expect(check.contains(service)) }
    #expect(check.contains("serving-kube-apiserver.crt") && check.contains(" OK"))
    #expect(!check.contains("EXPIRED"))

    server.stop()
    let rotated = try await SkiffServerProcess.skiff([
      "certificate", "rotate", "--data-dir", dataDir, "--service", "api-server,admin",
    ])
    #expect(rotated.contains("rotated \(serving)") && rotated.contains("client-admin.crt"))
    #expect(!FileManager.default.fileExists(atPath: serving))
    let unknown = await #expect(throws: SkiffServerProcess.Failure.self) {
      try await SkiffServerProcess.skiff(["certificate", "rotate", "--data-dir", dataDir, "--service", "etcd-peer"])
    }
    #expect(unknown?.output.contains("unknown service etcd-peer") == true)

    // The client reconnects after the restart: same CA, new leaves.
    server = try SkiffServerProcess(dataDir: dataDir)
    try await server.waitReady()
    let after = try String(contentsOfFile: serving, encoding: .utf8)
    #expect(after != before)
    #expect(try String(contentsOfFile: "\(dataDir)/server/tls/server-ca.crt", encoding: .utf8) == ca)
    let nodes = try await Blocking.run { [server] in try server.kubectl("get", "namespaces", "-o", "name") }
    #expect(nodes.contains("namespace/default"))
    let backups = try FileManager.default.contentsOfDirectory(atPath: "\(dataDir)/server/tls")
    #expect(backups.contains { $0.hasPrefix("rotated-") })
  }
}
