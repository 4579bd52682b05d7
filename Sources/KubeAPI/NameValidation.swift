/// Name and label checks from k8s.io/apimachinery/pkg/util/validation, returning upstream's
/// messages (an empty array means valid). Each message is what goes after `Invalid value: "x": `.
public enum NameValidation {
  public static let dns1123SubdomainMaxLength = 253
  public static let dns1123LabelMaxLength = 63
  public static let dns1035LabelMaxLength = 63
  public static let qualifiedNameMaxLength = 63
  public static let labelValueMaxLength = 63
  /// Upstream's cap on the summed length of all annotation keys and values (256 KiB).
  public static let totalAnnotationSizeLimit = 256 * 1024

  static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
  static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
  static let dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?"
  static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
  static let labelValueFormat = "(" + qualifiedNameFormat + ")?"

  /// Upstream's `RegexError`: the message, examples, and the regex (note the doubled space before `or`).
  static func regexError(_ message: String, _ format: String, _ examples: String...) -> String {
    if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
    var out = message + " (e.g. "
    for (i, example) in examples.enumerated() {
      if i > 0 { out += " or " }
      out += "'" + example + "', "
    }
    return out + "regex used for validation is '" + format + "')"
  }

  public static func maxLengthError(_ length: Int) -> String { "must be no more than \(length) characters" }
  public static let emptyError = "must be non-empty"

  /// A DNS-1123 label (`my-name`): Service names, Namespace names, container names.
  public static func dns1123Label(_ value: String) -> [String] {
    var errors: [String] = []
    if value.utf8.count > dns1123LabelMaxLength { errors.append(maxLengthError(dns1123LabelMaxLength)) }
    if !isDNS1123Label(value.utf8[...]) {
      errors.append(
        regexError(
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
          dns1123LabelFormat, "my-name", "123-abc"))
    }
    return errors
  }

  /// A DNS-1123 subdomain (`example.com`): most object names.
  public static func dns1123Subdomain(_ value: String) -> [String] {
    var errors: [String] = []
    if value.utf8.count > dns1123SubdomainMaxLength { errors.append(maxLengthError(dns1123SubdomainMaxLength)) }
    if !isDNS1123Subdomain(value) {
      errors.append(
        regexError(
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
          dns1123SubdomainFormat, "example.com"))
    }
    return errors
  }

  /// A DNS-1035 label (`my-name`, starting with a letter): Service names.
  public static func dns1035Label(_ value: String) -> [String] {
    var errors: [String] = []
    if value.utf8.count > dns1035LabelMaxLength { errors.append(maxLengthError(dns1035LabelMaxLength)) }
    let bytes = value.utf8
    let valid = isDNS1123Label(bytes[...]) && bytes.first.map { isLower($0) } == true
    if !valid {
      errors.append(
        regexError(
          "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
          dns1035LabelFormat, "my-name", "abc-123"))
    }
    return errors
  }

  /// A qualified name (`example.com/MyName`, `app`): label and annotation keys.
  public static func qualifiedName(_ value: String) -> [String] {
    var errors: [String] = []
    let parts = value.split(separator: "/", omittingEmptySubsequences: false)
    let name: Substring
    switch parts.count {
    case 1:
      name = parts[0]
    case 2:
      let prefix = parts[0]
      name = parts[1]
      if prefix.isEmpty {
        errors.append("prefix part " + emptyError)
      } else {
        errors += dns1123Subdomain(String(prefix)).map { "prefix part " + $0 }
      }
    default:
      let pattern = regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFormat, "MyName", "my.name", "123-abc")
      return [
        "a qualified name " + pattern + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
      ]
    }
    if name.isEmpty {
      errors.append("name part " + emptyError)
    } else if name.utf8.count > qualifiedNameMaxLength {
      errors.append("name part " + maxLengthError(qualifiedNameMaxLength))
    }
    if !isQualifiedNamePart(name.utf8) {
      errors.append(
        "name part "
          + regexError(
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            qualifiedNameFormat, "MyName", "my.name", "123-abc"))
    }
    return errors
  }

  /// A label value: empty, or up to 63 characters of `[-A-Za-z0-9_.]` starting and ending alphanumeric.
  public static func labelValue(_ value: String) -> [String] {
    var errors: [String] = []
    if value.utf8.count > labelValueMaxLength { errors.append(maxLengthError(labelValueMaxLength)) }
    if !value.isEmpty && !isQualifiedNamePart(value.utf8[...]) {
      errors.append(
        regexError(
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
          labelValueFormat, "MyValue", "my_value", "12345"))
    }
    return errors
  }

  /// Upstream's `NameIsDNSSubdomain`: for a generateName prefix a trailing `-` is allowed.
  public static func objectName(_ name: String, prefix: Bool) -> [String] {
    dns1123Subdomain(prefix ? maskTrailingDash(name) : name)
  }

  /// Upstream's `NameIsDNSLabel` (Namespaces, Services' DNS-1035 variant is `dns1035Label`).
  public static func objectLabelName(_ name: String, prefix: Bool) -> [String] {
    dns1123Label(prefix ? maskTrailingDash(name) : name)
  }

  static func maskTrailingDash(_ name: String) -> String {
    guard name.utf8.count > 1, name.hasSuffix("-") else { return name }
    return String(name.dropLast()) + "a"
  }

  // MARK: - Character-level matchers (no regex engine on the hot path)

  private static func isLower(_ c: UInt8) -> Bool { c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") }
  private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
  private static func isAlnum(_ c: UInt8) -> Bool {
    isLower(c) || isDigit(c) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
  }

  static func isDNS1123Label(_ bytes: Substring.UTF8View) -> Bool {
    guard let first = bytes.first, let last = bytes.last else { return false }
    guard isLower(first) || isDigit(first), isLower(last) || isDigit(last) else { return false }
    return bytes.allSatisfy { isLower($0) || isDigit($0) || $0 == UInt8(ascii: "-") }
  }

  static func isDNS1123Subdomain(_ value: String) -> Bool {
    let labels = value.split(separator: ".", omittingEmptySubsequences: false)
    return labels.allSatisfy { isDNS1123Label($0.utf8) }
  }

  static func isQualifiedNamePart(_ bytes: Substring.UTF8View) -> Bool {
    guard let first = bytes.first, let last = bytes.last, isAlnum(first), isAlnum(last) else { return false }
    return bytes.allSatisfy {
      isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
    }
  }
}

extension NameValidation {
  /// Upstream's ValidateLabels: each bad key or value as `Invalid value` at `path` (not keyed).
  public static func validateLabels(_ labels: [String: String], at path: FieldPath) -> [FieldError] {
    var errors: [FieldError] = []
    for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
      errors += qualifiedName(key).map { .invalid(path, .string(key), $0) }
      errors += labelValue(value).map { .invalid(path, .string(value), $0) }
    }
    return errors
  }

  /// Upstream's ValidateAnnotations: keys are qualified names (checked lower-cased) and the total
  /// size of keys plus values may not exceed 256 KiB.
  public static func validateAnnotations(_ annotations: [String: String], at path: FieldPath) -> [FieldError] {
    var errors: [FieldError] = []
    var total = 0
    for (key, value) in annotations.sorted(by: { $0.key < $1.key }) {
      errors += qualifiedName(key.lowercased()).map { .invalid(path, .string(key), $0) }
      total += key.utf8.count + value.utf8.count
    }
    if total > totalAnnotationSizeLimit { errors.append(.tooLong(path, maxLength: totalAnnotationSizeLimit)) }
    return errors
  }

  /// Upstream's ValidateObjectMeta checks on name, generateName, namespace, labels and annotations.
  /// `nameCheck` is the kind's name rule (default: DNS-1123 subdomain).
  public static func validateObjectMeta(
    _ meta: ObjectMeta, namespaced: Bool, at path: FieldPath = FieldPath("metadata"),
    nameCheck: (String, Bool) -> [String] = objectName
  ) -> [FieldError] {
    var errors: [FieldError] = []
    if let generateName = meta.generateName {
      errors += nameCheck(generateName, true).map { .invalid(path.child("generateName"), .string(generateName), $0) }
    }
    if let name = meta.name {
      errors += nameCheck(name, false).map { .invalid(path.child("name"), .string(name), $0) }
    } else {
      errors.append(.required(path.child("name"), "name or generateName is required"))
    }
    if namespaced {
      if let namespace = meta.namespace {
        errors += dns1123Label(namespace).map { .invalid(path.child("namespace"), .string(namespace), $0) }
      } else {
        errors.append(.required(path.child("namespace")))
      }
    } else if meta.namespace != nil {
      errors.append(.forbidden(path.child("namespace"), "not allowed on this type"))
    }
    if let labels = meta.labels { errors += validateLabels(labels, at: path.child("labels")) }
    if let annotations = meta.annotations { errors += validateAnnotations(annotations, at: path.child("annotations")) }
    return errors
  }
}
