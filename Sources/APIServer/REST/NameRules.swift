/// Kubernetes name syntaxes with upstream's messages, which users read in 422 answers.
enum NameRules {
  enum Rule: Sendable { case subdomain, label, dns1035, qualifiedName, labelValue, path }

  static func problems(_ value: String, rule: Rule) -> [String] {
    switch rule {
    case .subdomain: return subdomain(value)
    case .label: return label(value)
    case .dns1035:
      var out: [String] = []
      if value.utf8.count > 63 { out.append("must be no more than 63 characters") }
      let bytes = Array(value.utf8)
      let ok =
        !bytes.isEmpty && isLower(bytes.first!) && isLowerAlnum(bytes.last!)
        && bytes.allSatisfy { isLowerAlnum($0) || $0 == 45 }
      if !ok {
        out.append(
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        )
      }
      return out
    case .labelValue:
      var out: [String] = []
      if value.utf8.count > 63 { out.append("must be no more than 63 characters") }
      if !value.isEmpty && !isQualifiedPart(value) {
        out.append(
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        )
      }
      return out
    case .qualifiedName: return qualifiedName(value)
    case .path:
      if value == "." || value == ".." { return ["may not be '\(value)'"] }
      if value.contains("/") { return ["may not contain '/'"] }
      if value.contains("%") { return ["may not contain '%'"] }
      return []
    }
  }

  private static func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
  private static func isLowerAlnum(_ b: UInt8) -> Bool { isLower(b) || (b >= 48 && b <= 57) }
  private static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (b >= 65 && b <= 90) }

  private static func isLabel(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard let first = bytes.first, let last = bytes.last else { return false }
    return isLowerAlnum(first) && isLowerAlnum(last) && bytes.allSatisfy { isLowerAlnum($0) || $0 == 45 }
  }

  private static func isQualifiedPart(_ value: String) -> Bool {
    let bytes = Array(value.utf8)
    guard let first = bytes.first, let last = bytes.last else { return false }
    return isAlnum(first) && isAlnum(last) && bytes.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
  }

  /// ConfigMap and Secret keys: alphanumerics, '-', '_' or '.'.
  static func configMapKey(_ value: String) -> [String] {
    var out: [String] = []
    if value.utf8.count > 253 { out.append("must be no more than 253 characters") }
    if value.isEmpty || !value.utf8.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) {
      out.append(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
      )
    }
    return out
  }

  static func subdomain(_ value: String) -> [String] {
    var out: [String] = []
    if value.utf8.count > 253 { out.append("must be no more than 253 characters") }
    let parts = Array(value.utf8).split(separator: 46, omittingEmptySubsequences: false)
    if parts.isEmpty || !parts.allSatisfy(isLabel) {
      out.append(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
      )
    }
    return out
  }

  static func label(_ value: String) -> [String] {
    var out: [String] = []
    if value.utf8.count > 63 { out.append("must be no more than 63 characters") }
    if !isLabel(Array(value.utf8)[...]) {
      out.append(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
      )
    }
    return out
  }

  static func qualifiedName(_ value: String) -> [String] {
    let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    var out: [String] = []
    let name = parts.last ?? ""
    if parts.count == 2 {
      if parts[0].isEmpty {
        out.append("prefix part must be non-empty")
      } else {
        out += subdomain(parts[0]).map { "prefix part \($0)" }
      }
    }
    if name.isEmpty {
      out.append("name part must be non-empty")
    } else {
      if name.utf8.count > 63 { out.append("name part must be no more than 63 characters") }
      if !isQualifiedPart(name) {
        out.append(
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
        )
      }
    }
    return out
  }
}

extension ResourceDefinition {
  /// Which name syntax the kind's names follow.
  var nameRule: NameRules.Rule {
    switch (group, plural) {
    case ("", "namespaces"): .label
    case ("", "services"): .dns1035
    case ("rbac.authorization.k8s.io", _): .path
    default: .subdomain
    }
  }
}
