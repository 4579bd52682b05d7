import Foundation

/// Credentials for one registry, as an imagePullSecret, `--creds` or registries.yaml gives them.
/// A username with a password is sent as Basic auth (directly, or to the token realm); an
/// identity token is an OAuth2 refresh token exchanged at the token realm.
public struct RegistryCredentials: Sendable, Hashable, CustomStringConvertible {
  public var username: String
  public var password: String
  public var identityToken: String?

  public init(username: String, password: String) {
    self.username = username
    self.password = password
  }

  public init(identityToken: String, username: String = "") {
    self.username = username
    password = ""
    self.identityToken = identityToken
  }

  /// Parses `user:password` as `--creds` and the base64-decoded `auth` field of a docker config give it.
  public init(parsing text: String) throws {
    guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
      throw RuntimeError(.invalidArgument, "credentials must be USER:PASSWORD")
    }
    username = String(text[..<colon])
    password = String(text[text.index(after: colon)...])
  }

  /// Decodes the base64 `auth` field of a docker config (`base64(user:password)`).
  init(base64Auth: String) throws {
    guard let data = Data(base64Encoded: base64Auth.trimmingCharacters(in: .whitespaces)),
      let text = String(data: data, encoding: .utf8)
    else {
      throw RuntimeError(.invalidArgument, "the auth field of a docker config is not base64 of user:password")
    }
    try self.init(parsing: text)
  }

  /// `Basic base64(user:password)` for an Authorization header.
  var basicAuthorization: String {
    "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
  }

  /// Never prints the secret.
  public var description: String {
    identityToken != nil ? "identity token for \"\(username)\"" : "user \"\(username)\""
  }
}
