import Foundation
import KubeAPI
import KubeClient
import PKI

/// Signs approved requests for the signers this cluster's CAs serve (kubelet client and serving,
/// API server client). ``CSRApprovingController`` approves node requests; others wait for
/// `kubectl certificate approve`, and other signers' requests for an external signer.
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
    guard Self.hasCondition(csr, "Approved") else { return }
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

  private func fail(_ csr: JSONValue, _ message: String) async throws {
    var failed = csr
    failed.setCondition(
      "Failed", status: "True", reason: "SignerValidationFailure", message: message, now: context.now, probeTimes: true)
    try await context.client.update(.certificateSigningRequests, failed, subresource: "status")
  }
}
