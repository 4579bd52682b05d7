import Foundation
import KubeAPI
import KubeClient
import PKI

extension NodeJoinHandler {
  /// Writes as the join endpoint itself: the password Secret, CSR approval and status.
  var system: KubeClient {
    KubeClient(
      transport: InProcessTransport(
        router: router,
        user: UserInfo(name: "system:skiff:node-join", groups: ["system:masters", "system:authenticated"])))
  }

  static func mismatch(_ node: String) -> APIError {
    APIError(
      code: 403, reason: "Forbidden",
      message:
        "node \"\(node)\" is already registered by another machine (node password mismatch); if this machine "
        + "replaces it, run `kubectl delete node \(node)` and `kubectl -n kube-system delete secret "
        + "\(NodePassword.secretName(node: node))` on the server, or pick another --node-name",
      details: .object(["kind": "nodes", "name": .string(node)]))
  }

  /// The stored hash for `node`, or nil when no machine claimed the name yet.
  func storedHash(node: String) async throws(APIError) -> String? {
    do {
      let secret = try await system.get(
        .secrets, namespace: NodePassword.namespace, name: NodePassword.secretName(node: node))
      return BootstrapTokenLookup.decodedData(secret)[NodePassword.hashKey] ?? ""
    } catch  where error.isNotFound {
      return nil
    } catch {
      throw Self.apiError(error)
    }
  }

  /// Refuses a password that differs from the one the name was first joined with.
  func checkPassword(node: String, password: String) async throws(APIError) {
    guard let hash = try await storedHash(node: node) else { return }
    guard NodePassword.verify(password, hash: hash) else { throw Self.mismatch(node) }
  }

  /// Binds the name to the password on first join; a concurrent first join with another password loses.
  func storePassword(node: String, password: String) async throws(APIError) {
    if try await storedHash(node: node) != nil { return try await checkPassword(node: node, password: password) }
    let hash: String
    do {
      hash = try NodePassword.hash(password)
    } catch {
      throw APIError.internalError("cannot hash the node password: \(error)")
    }
    let secret: JSONValue = [
      "apiVersion": "v1", "kind": "Secret", "type": .string(NodePassword.secretType),
      "metadata": [
        "name": .string(NodePassword.secretName(node: node)), "namespace": .string(NodePassword.namespace),
        "labels": ["skiff.io/node": .string(node)],
      ],
      "data": .object([NodePassword.hashKey: .string(Data(hash.utf8).base64EncodedString())]),
    ]
    do {
      _ = try await system.create(.secrets, secret)
    } catch  where error.isAlreadyExists {
      try await checkPassword(node: node, password: password)
    } catch {
      throw Self.apiError(error)
    }
  }

  /// Creates the CSR as the joining identity (so `spec.username` says who joined), approves it and records the
  /// certificate. If the approver and signer controllers got there first, their certificate is returned instead.
  func record(
    csrPEM: String, certificatePEM: String, signer: String, usages: [String], identity: JoinIdentity
  ) async throws(APIError) -> (name: String, certificate: String) {
    let requester = KubeClient(transport: InProcessTransport(router: router, user: identity.user))
    let body: JSONValue = [
      "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
      "metadata": ["generateName": "csr-"],
      "spec": [
        "request": .string(Data(csrPEM.utf8).base64EncodedString()), "signerName": .string(signer),
        "usages": .array(usages.map(JSONValue.string)),
      ],
    ]
    do {
      var csr = try await requester.create(.certificateSigningRequests, body)
      let name = csr.metadata.name ?? ""
      for _ in 0..<10 {
        if let existing = csr["status"]?["certificate"]?.stringValue, let bytes = Data(base64Encoded: existing) {
          return (name, String(decoding: bytes, as: UTF8.self))
        }
        do {
          if !Self.isApproved(csr) {
            let now = router.state.now()
            var conditions = csr["status"]?["conditions"]?.arrayValue ?? []
            conditions.append([
              "type": "Approved", "status": "True", "reason": "AutoApproved",
              "message": .string(
                "Auto approving kubelet certificate for a node joining with \(identity.credentialName)"),
              "lastUpdateTime": .string(now), "lastTransitionTime": .string(now),
            ])
            if csr["status"] == nil { csr["status"] = [:] }
            csr["status"]?["conditions"] = .array(conditions)
            csr = try await system.update(.certificateSigningRequests, csr, subresource: "approval")
            continue
          }
          csr["status"]?["certificate"] = .string(Data(certificatePEM.utf8).base64EncodedString())
          _ = try await system.update(.certificateSigningRequests, csr, subresource: "status")
          return (name, certificatePEM)
        } catch  where error.isConflict {
          csr = try await system.get(.certificateSigningRequests, name: name)
        }
      }
      throw APIError(
        code: 409, reason: "Conflict", message: "certificatesigningrequests \"\(name)\" kept changing; retry the join")
    } catch let error as APIError {
      throw error
    } catch {
      throw Self.apiError(error)
    }
  }

  static func isApproved(_ csr: JSONValue) -> Bool {
    (csr["status"]?["conditions"]?.arrayValue ?? []).contains {
      $0["type"]?.stringValue == "Approved" && $0["status"]?.stringValue == "True"
    }
  }

  static func apiError(_ error: any Error) -> APIError {
    if case .status(let status) = error as? KubeClientError {
      return APIError(code: status.code, reason: status.reason.rawValue, message: status.message)
    }
    return APIError.internalError("\(error)")
  }
}
