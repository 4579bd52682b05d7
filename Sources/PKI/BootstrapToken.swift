import Foundation

/// A kubeadm-style bootstrap token (`<id>.<secret>`) as stored in the Secret `kube-system/bootstrap-token-<id>`
/// of type `bootstrap.kubernetes.io/token`; the API server authenticates it as `system:bootstrap:<id>`.
public struct BootstrapToken: Sendable, Equatable {
  /// Six characters `[a-z0-9]`, public: it names the Secret and the user.
  public var id: String
  /// Sixteen characters `[a-z0-9]`, the actual credential.
  public var secret: String
  /// After this instant the token no longer authenticates (and the cleaner deletes its Secret).
  public var expiration: Date?
  /// Usage names without the `usage-bootstrap-` prefix: "authentication", "signing".
  public var usages: [String]
  /// Groups added to `system:bootstrappers`, each `system:bootstrappers:…`.
  public var extraGroups: [String]
  public var description: String

  public static let secretType = "bootstrap.kubernetes.io/token"
  public static let namespace = "kube-system"
  public static let secretPrefix = "bootstrap-token-"
  public static let group = "system:bootstrappers"
  /// The group kubeadm gives node tokens; join tokens made by `skiff token create` carry it too.
  public static let defaultExtraGroup = "system:bootstrappers:kubeadm:default-node-token"
  public static let knownUsages = ["authentication", "signing"]

  public init(
    id: String, secret: String, expiration: Date? = nil, usages: [String] = BootstrapToken.knownUsages,
    extraGroups: [String] = [BootstrapToken.defaultExtraGroup], description: String = ""
  ) {
    self.id = id
    self.secret = secret
    self.expiration = expiration
    self.usages = usages
    self.extraGroups = extraGroups
    self.description = description
  }

  /// A new random token.
  public static func generate(
    ttl: TimeInterval?, usages: [String] = knownUsages, extraGroups: [String] = [defaultExtraGroup],
    description: String = "", now: Date = Date()
  ) -> BootstrapToken {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    var generator = SystemRandomNumberGenerator()
    func random(_ count: Int) -> String {
      String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
    return BootstrapToken(
      id: random(6), secret: random(16), expiration: ttl.flatMap { $0 > 0 ? now.addingTimeInterval($0) : nil },
      usages: usages, extraGroups: extraGroups, description: description)
  }

  /// `<id>.<secret>`.
  public var token: String { "\(id).\(secret)" }
  public var secretName: String { Self.secretPrefix + id }
  public var userName: String { "system:bootstrap:\(id)" }
  public var groups: [String] { [Self.group] + extraGroups.filter { $0 != Self.group } }

  /// The Secret's `data` values (before base64), in kubeadm's keys.
  public var secretData: [String: String] {
    var data = ["token-id": id, "token-secret": secret]
    for usage in usages { data["usage-bootstrap-\(usage)"] = "true" }
    if let expiration { data["expiration"] = Self.format(expiration) }
    if !extraGroups.isEmpty { data["auth-extra-groups"] = extraGroups.joined(separator: ",") }
    if !description.isEmpty { data["description"] = description }
    return data
  }

  /// Reads a Secret's decoded `data`; `name` is the Secret's name, which must match the token id.
  public init(secretName name: String, data: [String: String]) throws {
    guard let id = data["token-id"], let secret = data["token-secret"] else {
      throw PKIError.invalidToken("secret \(name) lacks token-id or token-secret")
    }
    guard Self.isValidID(id), Self.isValidSecret(secret) else {
      throw PKIError.invalidToken("secret \(name) holds a token that is not [a-z0-9]{6}.[a-z0-9]{16}")
    }
    guard name == Self.secretPrefix + id else {
      throw PKIError.invalidToken("secret \(name) holds token id \(id); its name must be \(Self.secretPrefix)\(id)")
    }
    var expiration: Date?
    if let text = data["expiration"] {
      guard let date = Self.parse(text) else {
        throw PKIError.invalidToken("secret \(name): expiration \"\(text)\" is not an RFC 3339 time")
      }
      expiration = date
    }
    let usages = data.keys.filter { $0.hasPrefix("usage-bootstrap-") && data[$0] == "true" }
      .map { String($0.dropFirst("usage-bootstrap-".count)) }.sorted()
    let groups = (data["auth-extra-groups"] ?? "").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    for group in groups where !Self.isValidExtraGroup(group) {
      throw PKIError.invalidToken("secret \(name): extra group \"\(group)\" must start with system:bootstrappers:")
    }
    self.init(
      id: id, secret: secret, expiration: expiration, usages: usages, extraGroups: groups,
      description: data["description"] ?? "")
  }

  public func isExpired(now: Date = Date()) -> Bool { expiration.map { $0 <= now } ?? false }

  /// Whether `presented` (the secret half) matches, compared in constant time, and the token may authenticate now.
  public func authenticates(secret presented: String, now: Date = Date()) -> Bool {
    guard usages.contains("authentication"), !isExpired(now: now) else { return false }
    let given = Array(presented.utf8)
    let expected = Array(secret.utf8)
    var difference = UInt8(given.count == expected.count ? 0 : 1)
    for index in 0..<expected.count { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
    return difference == 0
  }

  /// Splits `<id>.<secret>`; nil when the text does not have that shape.
  public static func split(_ text: String) -> (id: String, secret: String)? {
    guard case .bootstrapToken(let id, let secret)? = JoinToken.bootstrapToken(text) else { return nil }
    return (id, secret)
  }

  static func isValidID(_ text: String) -> Bool { text.count == 6 && text.allSatisfy(isTokenCharacter) }
  static func isValidSecret(_ text: String) -> Bool { text.count == 16 && text.allSatisfy(isTokenCharacter) }
  static func isTokenCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

  /// upstream: `system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]`.
  public static func isValidExtraGroup(_ group: String) -> Bool {
    let prefix = "system:bootstrappers:"
    guard group.hasPrefix(prefix) else { return false }
    let rest = group.dropFirst(prefix.count)
    guard let last = rest.last, rest.count <= 256, last.isASCII, last.isLowercase || last.isNumber else {
      return false
    }
    return rest.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == ":" || $0 == "-") }
  }

  static func format(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }

  static func parse(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
  }
}
