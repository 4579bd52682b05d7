import KubeAPI
import KubeClient

/// Empties a namespace marked for deletion — every namespaced object of every served type —
/// then removes the `kubernetes` finalizer through `namespaces/finalize`, which deletes it.
public struct NamespaceController: Controller {
  public let name = "namespace"
  let context: ControllerContext
  let queue = WorkQueue()

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let namespaces = context.informers.informer(.namespaces)
    namespaces.onEvent { [queue] event in
      if event.object.metadata.isBeingDeleted { queue.add(event.object.metadata.name ?? "") }
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { key in try await sync(key) }
  }

  func sync(_ name: String) async throws {
    guard let namespace = context.informers.cache(.namespaces).get(name), namespace.metadata.isBeingDeleted else {
      return
    }
    let resources = try await context.client.discoverResources().filter {
      $0.type.namespaced && $0.supports("list", "delete")
    }
    var remaining: [String: Int] = [:]
    var failures: [String] = []
    for resource in resources {
      do {
        if resource.supports("deletecollection") {
          _ = try await context.client.call(
            KubeRequest(method: "DELETE", path: resource.type.path(namespace: name)))
        }
        let left = try await context.client.list(resource.type, namespace: name, limit: 1)
        if !left.items.isEmpty {
          if !resource.supports("deletecollection") {
            for item in try await context.client.list(resource.type, namespace: name).items {
              _ = try? await context.client.delete(resource.type, namespace: name, name: item.metadata.name ?? "")
            }
          }
          remaining[resource.type.description] = left.items.count + (left.continueToken == nil ? 0 : 1)
        }
      } catch  where error.isNotFound {
      } catch {
        failures.append("\(resource.type): \(error)")
      }
    }
    try await setConditions(namespace, remaining: remaining, failures: failures)
    guard remaining.isEmpty, failures.isEmpty else {
      // Pods wait for their kubelets; finalizers for their controllers. Check again soon.
      queue.add(name, after: .seconds(2))
      return
    }
    var finalized = namespace
    let kept = (namespace["spec"]?["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != "kubernetes" }
    finalized["spec"]?["finalizers"] = .array(kept)
    do {
      try await context.client.update(.namespaces, finalized, subresource: "finalize")
    } catch  where error.isNotFound {}
  }

  /// The NamespaceContentRemaining / NamespaceDeletionContentFailure conditions kubectl shows.
  private func setConditions(_ namespace: JSONValue, remaining: [String: Int], failures: [String]) async throws {
    let now = context.now
    var updated = namespace
    let contentMessage =
      remaining.isEmpty
      ? "All content successfully removed"
      : "Some resources are remaining: "
        + remaining.sorted { $0.key < $1.key }.map { "\($0.key) has \($0.value) resource instances" }
        .joined(separator: ", ")
    updated.setCondition(
      "NamespaceContentRemaining", status: remaining.isEmpty ? "False" : "True",
      reason: remaining.isEmpty ? "ContentRemoved" : "SomeResourcesRemain", message: contentMessage, now: now)
    updated.setCondition(
      "NamespaceDeletionContentFailure", status: failures.isEmpty ? "False" : "True",
      reason: failures.isEmpty ? "ContentDeleted" : "ContentDeletionFailed",
      message: failures.isEmpty
        ? "All content successfully deleted, may be waiting on finalization" : failures.joined(separator: ", "),
      now: now)
    guard updated["status"] != namespace["status"] else { return }
    do {
      try await context.client.update(.namespaces, updated, subresource: "status")
    } catch  where error.isNotFound || error.isConflict {}
  }
}
