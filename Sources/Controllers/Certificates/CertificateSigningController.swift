import Foundation
import KubeAPI
import KubeClient
import PKI

/// Approves kubelet client certificate requests from joining or renewing nodes (upstream's
/// csrapproving controller: nodeclient and selfnodeclient), and signs approved requests for the
/// signers this cluster's CAs serve (kubelet client and serving, API server client). Other
/// requests wait for `kubectl certificate approve` or an external signer.
public struct CertificateSigningController: Controller {
  public let name = "csrsigning"
  let context: ControllerContext
  let signer: CSRSigner
  let queue = WorkQueue()

  public init(context: ControllerContext, signer: CSRSigner) {
    self.context = context
    self.signer = signer
  }

  public func run() async {
    context.informers.informer(.certificateSigningRequests).onEvent { [queue] event in
      if case .deleted = event { return }
      queue.add(event.object.metadata.name ?? "")
    }
    await context.informers.waitForSync()
    await queue.run(workers: 1) { key in try await sync(key) }
  }

  static func hasCondition(_ csr: JSONValue, _ type: String) -> Bool {
    PodStatus.condition(csr, type)?["status"]?.stringValue == "True"
  }

  func sync(_ name: String) async throws {
    guard var csr = context.informers.cache(.certificateSigningRequests).get(name),
      csr["status"]?["certificate"] == nil, !Self.hasCondition(csr, "Denied"), !Self.hasCondition(csr, "Failed")
    else { return }
    let spec = csr["spec"] ?? [:]
    let signerName = spec["signerName"]?.stringValue ?? ""
    guard signer.handles(signerName: signerName) else { return }
    let request: CertificateRequest
    do {
      let pem = String(decoding: Data(base64Encoded: spec["request"]?.stringValue ?? "") ?? Data(), as: UTF8.self)
      request = try CertificateRequest(pem: pem)
    } catch {
      return try await fail(csr, "the request is not a PEM certificate request: \(error)")
    }
    if !Self.hasCondition(csr, "Approved") {
      guard signerName == CSRSigner.kubeletClient, isNodeClientRequest(spec, request) else { return }
      csr.setCondition(
        "Approved", status: "True", reason: "AutoApproved",
        message: "Auto approving kubelet client certificate after SubjectAccessReview.", now: context.now,
        probeTimes: true)
      csr = try await context.client.update(.certificateSigningRequests, csr, subresource: "approval")
    }
    do {
      let usages = (spec["usages"]?.arrayValue ?? []).compactMap(\.stringValue)
      let certificate = try signer.sign(
        request, signerName: signerName, usages: usages,
        expirationSeconds: spec["expirationSeconds"]?.intValue.map { Int($0) })
      csr["status"]?["certificate"] = .string(Data(certificate.utf8).base64EncodedString())
      try await context.client.update(.certificateSigningRequests, csr, subresource: "status")
    } catch let error as PKIError {
      try await fail(csr, "\(error)")
    }
  }

  /// A node's own request: the requester is a bootstrapping or existing node, asking for the
  /// `system:node:<name>` identity in `system:nodes` (validated by PKI).
  private func isNodeClientRequest(_ spec: JSONValue, _ request: CertificateRequest) -> Bool {
    guard let node = try? request.validateKubeletClient() else { return false }
    let username = spec["username"]?.stringValue ?? ""
    let groups = (spec["groups"]?.arrayValue ?? []).compactMap(\.stringValue)
    return username == "system:node:\(node)" || groups.contains("system:bootstrappers")
      || groups.contains("system:nodes")
  }

  private func fail(_ csr: JSONValue, _ message: String) async throws {
    var failed = csr
    failed.setCondition(
      "Failed", status: "True", reason: "SignerValidationFailure", message: message, now: context.now, probeTimes: true)
    try await context.client.update(.certificateSigningRequests, failed, subresource: "status")
  }
}
