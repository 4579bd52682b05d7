import AsyncHTTPClient
import Foundation
import NIOCore

extension RegistryClient {
  /// The Authorization header answering a challenge with these credentials (nil = anonymous),
  /// or nil when they cannot answer it (Basic without credentials, a token realm refusing them).
  func authorization(for challenges: [AuthChallenge], credentials: RegistryCredentials?) async throws -> String? {
    if let bearer = challenges.first(where: { $0.scheme == .bearer }) {
      return try await token(for: bearer, credentials: credentials).map { "Bearer \($0)" }
    }
    if challenges.contains(where: { $0.scheme == .basic }) || challenges.isEmpty {
      guard let credentials, credentials.identityToken == nil else { return nil }
      return credentials.basicAuthorization
    }
    let schemes = challenges.map { $0.description.prefix { $0 != " " } }.joined(separator: ", ")
    throw RuntimeError(
      .unsupported, "registry \(endpoint.displayName) asks for authentication skiff does not speak (\(schemes))")
  }

  /// Gets a token from the realm of a Bearer challenge, as Docker does: an identity token is
  /// exchanged by an OAuth2 POST (refresh_token grant); a user and password go as Basic auth
  /// on a GET; anonymous is a plain GET. nil when the realm refuses the credentials.
  func token(for challenge: AuthChallenge, credentials: RegistryCredentials?) async throws -> String? {
    guard let realm = challenge.realm, var components = URLComponents(string: realm),
      components.scheme == "https" || components.scheme == "http"
    else {
      throw RuntimeError(
        .registry, "registry \(endpoint.displayName) sent a Bearer challenge without a usable realm: \(challenge)")
    }
    let scopes = (challenge.scope ?? "repository:\(repository):pull").split(separator: " ").map(String.init)
    let response: HTTPClientResponse
    if let refresh = credentials?.identityToken {
      var form = URLComponents()
      form.queryItems =
        [
          URLQueryItem(name: "grant_type", value: "refresh_token"), URLQueryItem(name: "client_id", value: "skiff"),
          URLQueryItem(name: "refresh_token", value: refresh),
        ] + (challenge.service.map { [URLQueryItem(name: "service", value: $0)] } ?? [])
        + [URLQueryItem(name: "scope", value: scopes.joined(separator: " "))]
      let body = Array((form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
      response = try await execute(
        realm, method: .POST, body: body, contentType: "application/x-www-form-urlencoded")
    } else {
      var items = components.queryItems ?? []
      if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
      items += scopes.map { URLQueryItem(name: "scope", value: $0) }
      if let credentials, !credentials.username.isEmpty {
        items.append(URLQueryItem(name: "account", value: credentials.username))
      }
      components.queryItems = items
      guard let url = components.string else {
        throw RuntimeError(.registry, "registry \(endpoint.displayName) sent an invalid token realm \(realm)")
      }
      response = try await execute(url, authorization: credentials?.basicAuthorization)
    }
    if response.status == .unauthorized || response.status == .forbidden {
      await Self.drain(response)
      return nil
    }
    guard response.status == .ok else {
      let detail = await Self.errorText(response)
      throw RuntimeError(
        .registry,
        "the token server \(components.host ?? realm) of registry \(endpoint.displayName) answered "
          + "\(response.status.code) \(response.status.reasonPhrase)\(detail.isEmpty ? "" : ": \(detail)")")
    }
    struct TokenResponse: Decodable {
      var token: String?
      var accessToken: String?
      enum CodingKeys: String, CodingKey {
        case token
        case accessToken = "access_token"
      }
    }
    let buffer: ByteBuffer
    do {
      buffer = try await response.body.collect(upTo: 1 << 20)
    } catch {
      throw Self.networkError(error, url: realm, registry: endpoint.displayName)
    }
    guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: Data(buffer.readableBytesView)),
      let token = decoded.token ?? decoded.accessToken, !token.isEmpty
    else {
      throw RuntimeError(
        .registry, "the token server of registry \(endpoint.displayName) answered without a token (\(realm))")
    }
    return token
  }
}

extension AuthChallenge: CustomStringConvertible {
  var description: String {
    let name =
      switch scheme {
      case .basic: "Basic"
      case .bearer: "Bearer"
      case .other(let name): name
      }
    return ([name] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }).joined(separator: " ")
  }
}
