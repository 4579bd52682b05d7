import Foundation
import KubeAPI
import NIOHTTP1
import PKI

extension ResourceHandler {
  /// serviceaccounts/token (TokenRequest): a bound, expiring token for an existing account.
  func tokenRequest(name: String) async throws(APIError) -> HTTPResponse {
    guard let tokens = state.tokens else { throw APIError.methodNotAllowed("create", definition) }
    var request = try bodyObject()
    let (account, _) = try await current(name: name)
    let spec = request["spec"] ?? .object([:])
    let lifetime = max(spec["expirationSeconds"]?.intValue ?? 3600, 600)
    let audiences = (spec["audiences"]?.arrayValue ?? []).compactMap(\.stringValue)
    var bound = ServiceAccountTokens.BoundTokenRequest(
      namespace: namespace ?? "",
      serviceAccount: .init(name: name, uid: account["metadata"]?["uid"]?.stringValue ?? ""),
      audiences: audiences, lifetime: TimeInterval(lifetime))
    if let reference = spec["boundObjectRef"], let kind = reference["kind"]?.stringValue {
      let ref = ServiceAccountClaims.Reference(
        name: reference["name"]?.stringValue ?? "", uid: reference["uid"]?.stringValue ?? "")
      switch kind {
      case "Pod": bound.pod = ref
      case "Secret": bound.secret = ref
      case "Node": bound.node = ref
      default:
        throw APIError.invalid(
          definition, name: name,
          errors: [
            .notSupported("spec.boundObjectRef.kind", .string(kind), ["Pod", "Secret", "Node"])
          ])
      }
    }
    let issued: (token: String, claims: ServiceAccountClaims)
    do { issued = try tokens.issue(bound) } catch { throw APIError.internalError("\(error)") }
    request["apiVersion"] = .string("authentication.k8s.io/v1")
    request["kind"] = .string("TokenRequest")
    var metadata = request["metadata"] ?? .object([:])
    metadata["name"] = .string(name)
    metadata["namespace"] = namespace.map(JSONValue.string)
    metadata["creationTimestamp"] = .null
    request["metadata"] = metadata
    var resultSpec = spec
    resultSpec["expirationSeconds"] = .int(lifetime)
    resultSpec["audiences"] = .array(issued.claims.audiences.map(JSONValue.string))
    request["spec"] = resultSpec
    request["status"] = .object([
      "token": .string(issued.token),
      "expirationTimestamp": .string(Timestamp.format(issued.claims.expiresAt ?? Date())),
    ])
    return respond(.created, request.encoded())
  }
}
