import Crypto
import Foundation
import SwiftASN1
import X509

/// A parsed PKCS#10 certificate signing request whose self-signature has been checked.
public struct CertificateRequest: Sendable {
  public let request: CertificateSigningRequest
  public let subject: CertificateSubject
  /// DNS names and IPs from the extension request.
  public let names: SubjectAltNames
  /// Email and URI names, which no kubelet signer allows.
  public let otherNames: [String]

  /// Parses PEM (`-----BEGIN CERTIFICATE REQUEST-----`), as found base64-decoded in a CSR object's `spec.request`.
  public init(pem: String) throws {
    let request: CertificateSigningRequest
    do {
      request = try CertificateSigningRequest(pemEncoded: pem)
    } catch {
      throw PKIError.invalidCSR("not a PEM CERTIFICATE REQUEST (\(error))")
    }
    try self.init(request)
  }

  public init(der: [UInt8]) throws {
    let request: CertificateSigningRequest
    do {
      request = try CertificateSigningRequest(derEncoded: der)
    } catch {
      throw PKIError.invalidCSR("not a DER PKCS#10 request (\(error))")
    }
    try self.init(request)
  }

  public init(_ request: CertificateSigningRequest) throws {
    guard request.publicKey.isValidSignature(request.signature, for: request) else {
      throw PKIError.invalidCSR("its signature does not match its public key")
    }
    let extensions: Certificate.Extensions?
    do {
      extensions = try request.attributes.extensionRequest?.extensions
    } catch {
      throw PKIError.invalidCSR("unreadable extension request (\(error))")
    }
    let alternativeNames = try? extensions?.subjectAlternativeNames
    var others: [String] = []
    for name in (alternativeNames ?? nil) ?? SubjectAlternativeNames() {
      switch name {
      case .rfc822Name(let email): others.append("email:\(email)")
      case .uniformResourceIdentifier(let uri): others.append("URI:\(uri)")
      case .dnsName, .ipAddress: continue
      default: others.append("\(name)")
      }
    }
    self.request = request
    subject = CertificateSubject(request.subject)
    names = SubjectAltNames(alternativeNames ?? nil)
    otherNames = others
  }

  /// A new ECDSA P-256 key and a CSR for it, as an agent sends for its kubelet certificates; the PEM goes
  /// base64-encoded into a CertificateSigningRequest's `spec.request`.
  public static func generate(subject: CertificateSubject, names: SubjectAltNames? = nil) throws -> (
    csrPEM: String, privateKeyPEM: String
  ) {
    let key = P256.Signing.PrivateKey()
    var attributes = CertificateSigningRequest.Attributes()
    if let names, !names.isEmpty {
      let extensions = try Certificate.Extensions([
        Certificate.Extension(SubjectAlternativeNames(names.generalNames), critical: false)
      ])
      attributes.insert(try CertificateSigningRequest.Attribute(ExtensionRequest(extensions: extensions)))
    }
    let request = try CertificateSigningRequest(
      version: .v1, subject: subject.distinguishedName, privateKey: Certificate.PrivateKey(key),
      attributes: attributes, signatureAlgorithm: .ecdsaWithSHA256)
    return (try request.serializeAsPEM().pemString, key.pemRepresentation)
  }

  /// For `kubernetes.io/kube-apiserver-client-kubelet`: CN `system:node:<name>`, O exactly `system:nodes`,
  /// no SANs. Returns the node name.
  public func validateKubeletClient() throws -> String {
    let node = try nodeName()
    guard names.isEmpty, otherNames.isEmpty else {
      throw PKIError.invalidCSR("a kubelet client certificate may not carry subject alternative names")
    }
    return node
  }

  /// For `kubernetes.io/kubelet-serving`: CN `system:node:<name>`, O exactly `system:nodes`, at least one DNS
  /// name or IP, no email or URI names. Returns the node name.
  public func validateKubeletServing() throws -> String {
    let node = try nodeName()
    guard !names.isEmpty else { throw PKIError.invalidCSR("a kubelet serving certificate needs a DNS name or IP") }
    guard otherNames.isEmpty else {
      throw PKIError.invalidCSR("a kubelet serving certificate may not carry \(otherNames.joined(separator: ", "))")
    }
    return node
  }

  private func nodeName() throws -> String {
    guard subject.organizations == ["system:nodes"] else {
      throw PKIError.invalidCSR("subject organization must be exactly [system:nodes], got \(subject.organizations)")
    }
    let prefix = "system:node:"
    guard subject.commonName.hasPrefix(prefix), subject.commonName.count > prefix.count else {
      throw PKIError.invalidCSR("subject common name must be system:node:<node name>, got \"\(subject.commonName)\"")
    }
    return String(subject.commonName.dropFirst(prefix.count))
  }
}
