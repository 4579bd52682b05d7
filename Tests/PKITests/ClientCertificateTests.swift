import Foundation
import SwiftASN1
import Testing
import X509

@testable import PKI

@Suite("Client certificate authentication")
struct ClientCertificateTests {
  let clientCA: CertificateAuthority
  let serverCA: CertificateAuthority
  var authenticator: ClientCertificateAuthenticator { ClientCertificateAuthenticator(trusting: [clientCA.certificate]) }

  init() throws {
    clientCA = try CertificateAuthority.generate(commonName: "skiff-client-ca@1")
    serverCA = try CertificateAuthority.generate(commonName: "skiff-server-ca@1")
  }

  func der(_ leaf: LeafCertificate) throws -> [UInt8] {
    var serializer = DER.Serializer()
    try serializer.serialize(leaf.certificate)
    return serializer.serializedBytes
  }

  @Test func acceptsALeafFromTheClientCAAsDER() throws {
    let leaf = try clientCA.issue(
      subject: .init(commonName: "jane", organizations: ["dev", "ops"]), usage: .client)
    #expect(try authenticator.authenticate(leafDER: der(leaf)) == ClientIdentity(user: "jane", groups: ["dev", "ops"]))
    #expect(try authenticator.authenticate(leafPEM: leaf.certificatePEM).user == "jane")
  }

  @Test func refusesOtherIssuersAndForgeries() throws {
    let fromServerCA = try serverCA.issue(subject: .init(commonName: "jane"), usage: .client)
    #expect(throws: PKIError.self) { try authenticator.authenticate(leafDER: der(fromServerCA)) }
    // Same issuer name, different key: only the signature check can tell.
    let lookalike = try CertificateAuthority.generate(commonName: "skiff-client-ca@1")
    let forged = try lookalike.issue(
      subject: .init(commonName: "system:admin", organizations: ["system:masters"]), usage: .client)
    #expect(throws: PKIError.untrustedCertificate("signature does not verify with the client CA")) {
      try authenticator.authenticate(leafDER: der(forged))
    }
    #expect(throws: PKIError.self) { try authenticator.authenticate(leafDER: [0x30, 0x03, 0x02, 0x01, 0x00]) }
  }

  @Test func refusesExpiredAndNotYetValidLeaves() throws {
    let now = Date()
    let leaf = try clientCA.issue(subject: .init(commonName: "jane"), usage: .client, now: now)
    #expect(throws: PKIError.self) {
      try authenticator.authenticate(leafDER: der(leaf), now: now.addingTimeInterval(366 * 86400))
    }
    #expect(throws: PKIError.self) {
      try authenticator.authenticate(leafDER: der(leaf), now: now.addingTimeInterval(-3600))
    }
    _ = try authenticator.authenticate(leafDER: der(leaf), now: now.addingTimeInterval(364 * 86400))
  }

  @Test func refusesLeavesWithoutClientAuthUsage() throws {
    let serving = try clientCA.issue(subject: .init(commonName: "kube-apiserver"), usage: .server)
    #expect(throws: PKIError.untrustedCertificate("extended key usage does not include client auth")) {
      try authenticator.authenticate(leafDER: der(serving))
    }
    let both = try clientCA.issue(subject: .init(commonName: "dual"), usage: [.server, .client])
    #expect(try authenticator.authenticate(leafDER: der(both)).user == "dual")
  }

  @Test func refusesTheCAItself() throws {
    var serializer = DER.Serializer()
    try serializer.serialize(clientCA.certificate)
    #expect(throws: PKIError.self) { try authenticator.authenticate(leafDER: serializer.serializedBytes) }
  }
}
