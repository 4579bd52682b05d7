import KubeAPI

/// Which of KubeAPI's name syntaxes a field follows, plus the two KubeAPI does not carry
/// (RBAC path segment names, ConfigMap keys).
enum NameRules {
  enum Rule: Sendable { case subdomain, label, dns1035, qualifiedName, labelValue, path }

  static func problems(_ value: String, rule: Rule) -> [String] {
    switch rule {
    case .subdomain: return NameValidation.dns1123Subdomain(value)
    case .label: return NameValidation.dns1123Label(value)
    case .dns1035: return NameValidation.dns1035Label(value)
    case .qualifiedName: return NameValidation.qualifiedName(value)
    case .labelValue: return NameValidation.labelValue(value)
    case .path:
      if value == "." || value == ".." { return ["may not be '\(value)'"] }
      if value.contains("/") { return ["may not contain '/'"] }
      if value.contains("%") { return ["may not contain '%'"] }
      return []
    }
  }

  private static func isAlnum(_ b: UInt8) -> Bool {
    (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
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
