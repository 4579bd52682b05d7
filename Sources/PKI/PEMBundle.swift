import X509

/// PEM bundles: several certificates one after the other, as `/cacerts`, kubeconfigs and CA
/// files carry them once a CA rotation keeps the retired CA trusted beside the new one.
public enum PEMBundle {
  /// The PEM blocks of `pem`, each trimmed to its BEGIN…END lines.
  public static func blocks(_ pem: String) -> [String] {
    var blocks: [String] = []
    var current: [Substring] = []
    for line in pem.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("-----BEGIN ") { current = [] }
      current.append(Substring(trimmed))
      if trimmed.hasPrefix("-----END ") { blocks.append(current.joined(separator: "\n")) }
    }
    return blocks
  }

  /// The certificates of `pem`, in order; blocks that are not certificates are skipped.
  public static func certificates(_ pem: String) -> [Certificate] {
    blocks(pem).compactMap { try? Certificate(pemEncoded: $0) }
  }

  /// `pem` after `first` (when there is one); `pem` alone is returned byte for byte, since
  /// tokens pin those bytes.
  static func joined(_ pem: String, after first: String?) -> String {
    guard let first else { return pem }
    return first.hasSuffix("\n") ? first + pem : first + "\n" + pem
  }
}

extension Certificate {
  /// Whether this (CA) certificate signed `leaf`: issuer name and signature.
  public func issued(_ leaf: Certificate) -> Bool {
    leaf.issuer == subject && publicKey.isValidSignature(leaf.signature, for: leaf)
  }
}
