import KubeAPI
import KubeClient

/// Gives every active namespace its `default` ServiceAccount and the `kube-root-ca.crt`
/// ConfigMap (the CA that pods use to verify the API server), and puts them back when deleted.
public struct ServiceAccountController: Controller {
  public let name = "serviceaccount"
  let context: ControllerContext
  let queue = WorkQueue()

  static let rootCAName = "kube-root-ca.crt"

  public init(context: ControllerContext) {
    self.context = context
  }

  public func run() async {
    let namespaces = context.informers.informer(.namespaces)
    let accounts = context.informers.informer(.serviceAccounts)
    let configMaps = context.informers.informer(.configMaps)
    namespaces.onEvent { [queue] event in queue.add(event.object.metadata.name ?? "") }
    accounts.onEvent { [queue] event in
      if case .deleted(let account) = event, account.metadata.name == "default" {
        queue.add(account.metadata.namespace ?? "")
      }
    }
    configMaps.onEvent { [queue] event in
      guard event.object.metadata.name == Self.rootCAName else { return }
      if case .added = event { return }
      queue.add(event.object.metadata.namespace ?? "")
    }
    await context.informers.waitForSync()
    await queue.run(workers: context.settings.workers) { namespace in try await sync(namespace: namespace) }
  }

  func sync(namespace: String) async throws {
    let cache = context.informers.cache(.namespaces)
    guard let object = cache.get(namespace), !object.metadata.isBeingDeleted,
      object["status"]?["phase"]?.stringValue != "Terminating"
    else { return }
    if context.informers.cache(.serviceAccounts).get(namespace: namespace, name: "default") == nil {
      do {
        try await context.client.create(
          .serviceAccounts, namespace: namespace,
          [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": "default", "namespace": .string(namespace)],
          ])
      } catch  where error.isAlreadyExists {}
    }
    try await syncRootCA(namespace: namespace)
  }

  private func syncRootCA(namespace: String) async throws {
    let data: JSONValue = ["ca.crt": .string(context.settings.rootCAPEM)]
    let annotations: JSONValue = [
      "kubernetes.io/description":
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
    ]
    guard let existing = context.informers.cache(.configMaps).get(namespace: namespace, name: Self.rootCAName) else {
      do {
        try await context.client.create(
          .configMaps, namespace: namespace,
          [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
              "name": .string(Self.rootCAName), "namespace": .string(namespace), "annotations": annotations,
            ],
            "data": data,
          ])
      } catch  where error.isAlreadyExists {}
      return
    }
    guard existing["data"] != data || existing["metadata"]?["annotations"]?["kubernetes.io/description"] == nil
    else { return }
    var updated = existing
    updated["data"] = data
    updated["binaryData"] = nil
    updated["metadata"]?["annotations"] = annotations
    try await context.client.update(.configMaps, updated)
  }
}
