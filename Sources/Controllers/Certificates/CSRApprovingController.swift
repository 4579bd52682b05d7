import Foundation
import KubeAPI
import KubeClient
import PKI

/// Approves node certificate requests that ``CSRApprovalRules`` allows (bootstrapping and renewing kubelets),
/// as upstream's csrapproving controller; ``CertificateSigningController`` then signs them. Requests it does not
/// approve stay pending for `kubectl certificate approve`.
public struct CSRApprovingController: Controller {
  public let name = "csrapproving"
  let context: ControllerContext
  let queue = WorkQueue()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    context.informers.informer(.certificateSigningRequests).onEvent { [queue] event in
      if case .deleted = event { return }
      queue.add(event.object.metadata.name ?? "")
    }
    _ = context.informers.informer(.nodes)
    await context.informers.waitForSync()
    await queue.run(workers: 1) { key in try await sync(key) }
  }

  func sync(_ name: String) async throws {
    guard var csr = context.informers.cache(.certificateSigningRequests).get(name),
      csr["status"]?["certificate"] == nil,
      !["Approved", "Denied", "Failed"].contains(where: { CertificateSigningController.hasCondition(csr, $0) })
    else { return }
    let nodes = context.informers.cache(.nodes)
    switch CSRApprovalRules.decide(csr, node: { nodes.get(namespace: nil, name: $0) }) {
    case .approve(let message):
      csr.setCondition(
        "Approved", status: "True", reason: "AutoApproved", message: message, now: context.now, probeTimes: true)
      do {
        try await context.client.update(.certificateSigningRequests, csr, subresource: "approval")
      } catch  where error.isConflict {
        let fresh = try await context.client.get(.certificateSigningRequests, name: name)
        if fresh["status"]?["conditions"] == nil { throw error }
      }
    case .leave(let why):
      context.logger.debug("leaving CSR for an administrator", metadata: ["csr": "\(name)", "why": "\(why)"])
    case .ignore:
      return
    }
  }
}
