import Foundation
import KubeAPI
import KubeClient
import PKI

/// Deletes bootstrap-token Secrets once their `expiration` has passed (upstream's tokencleaner), so `skiff token
/// list` shows live tokens only. The authenticator already refuses an expired token; this is housekeeping.
public struct BootstrapTokenCleaner: Controller {
  public let name = "tokencleaner"
  let context: ControllerContext
  let queue = WorkQueue()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    context.informers.informer(.secrets).onEvent { [queue] event in
      if case .deleted = event { return }
      let metadata = event.object.metadata
      guard metadata.namespace == BootstrapToken.namespace,
        event.object["type"]?.stringValue == BootstrapToken.secretType
      else { return }
      queue.add(metadata.name ?? "")
    }
    await context.informers.waitForSync()
    await queue.run(workers: 1) { key in try await sync(key) }
  }

  func sync(_ name: String) async throws {
    guard let secret = context.informers.cache(.secrets).get(namespace: BootstrapToken.namespace, name: name),
      secret["type"]?.stringValue == BootstrapToken.secretType,
      let text = secret["data"]?["expiration"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
      let expiration = try? KubeTime(parsing: String(decoding: text, as: UTF8.self))
    else { return }
    let remaining = expiration.seconds - context.now.seconds
    guard remaining <= 0 else {
      queue.add(name, after: .seconds(remaining))
      return
    }
    do {
      try await context.client.delete(.secrets, namespace: BootstrapToken.namespace, name: name)
      context.logger.info("deleted expired bootstrap token", metadata: ["secret": "\(name)"])
    } catch  where error.isNotFound {}
  }
}
