import X509

/// The part of a certificate's subject Kubernetes reads: CN is the user name, each O is a group.
public struct CertificateSubject: Sendable, Equatable, Hashable {
  public var commonName: String
  public var organizations: [String]

  public init(commonName: String, organizations: [String] = []) {
    self.commonName = commonName
    self.organizations = organizations
  }

  /// Reads CN and every O; other attributes are ignored, as the API server ignores them.
  public init(_ name: DistinguishedName) {
    var commonName = ""
    var organizations: [String] = []
    for rdn in name {
      for attribute in rdn {
        guard let value = String(attribute.value) else { continue }
        if attribute.type == .RDNAttributeType.commonName {
          commonName = value
        } else if attribute.type == .RDNAttributeType.organizationName {
          organizations.append(value)
        }
      }
    }
    self.init(commonName: commonName, organizations: organizations)
  }

  /// O before CN, the order Go's crypto/x509 writes, so `openssl x509 -subject` reads the same as for K3s certs.
  var distinguishedName: DistinguishedName {
    var rdns = organizations.map {
      RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: $0))
    }
    rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: commonName)))
    return DistinguishedName(rdns)
  }
}

/// What a leaf certificate may be used for, mapped onto the extended key usage extension.
public struct CertificateUsage: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// TLS server authentication (serving certificates).
  public static let server = CertificateUsage(rawValue: 1)
  /// TLS client authentication (users, nodes, the API server towards kubelets).
  public static let client = CertificateUsage(rawValue: 2)

  /// Reads a CertificateSigningRequest's `spec.usages`; "digital signature" and "key encipherment" are implied.
  public init(kubernetesUsages: [String]) throws {
    var usage: CertificateUsage = []
    for name in kubernetesUsages {
      switch name {
      case "client auth": usage.insert(.client)
      case "server auth": usage.insert(.server)
      case "digital signature", "key encipherment": continue
      default: throw PKIError.invalidCSR("usage \"\(name)\" is not allowed for this signer")
      }
    }
    self = usage
  }

  var extendedKeyUsage: ExtendedKeyUsage {
    get throws {
      var usages: [ExtendedKeyUsage.Usage] = []
      if contains(.server) { usages.append(.serverAuth) }
      if contains(.client) { usages.append(.clientAuth) }
      return try ExtendedKeyUsage(usages)
    }
  }
}
