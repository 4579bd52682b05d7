import KubeAPI
import Logging
import Store

/// Serves custom resources as their CRDs come and go: registers the versions, reports the
/// CRD Established, and on deletion removes every custom object before the CRD itself,
/// as upstream's apiextensions controllers do.
struct CRDController: Sendable {
  static let cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io"
  let state: APIState

  func run() async {
    guard
      let crds = state.registry.lookup(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions")
    else { return }
    let cache = state.cache(for: crds)
    while !Task.isCancelled {
      await cache.waitUntilFresh(state.log.currentRevision)
      guard let subscription = try? cache.subscribe(.current) else { continue }
      for event in subscription.initial { await handle(event, crds: crds) }
      for await event in subscription.events { await handle(event, crds: crds) }
      subscription.cancel()
    }
  }

  private func handle(_ event: WatchCache.Event, crds: ResourceDefinition) async {
    let crd = event.object.object
    guard let group = crd["spec"]?["group"]?.stringValue, let plural = crd["spec"]?["names"]?["plural"]?.stringValue
    else { return }
    let kind = crd["spec"]?["names"]?["kind"]?.stringValue ?? ""
    if event.type == .deleted {
      state.registry.unregister(group: group, plural: plural)
      state.schema.removeCustomResources(group: group, kind: kind)
      return
    }
    let definitions = CustomResources.definitions(from: crd)
    if crd["metadata"]?["deletionTimestamp"] != nil {
      await cleanUp(crd, definitions: definitions, crds: crds, revision: event.object.revision)
      return
    }
    state.registry.unregister(group: group, plural: plural)
    state.schema.addCustomResourceDefinition(crd)
    state.registry.register(definitions)
    var updated = crd
    updated["status"] = CustomResources.establishedStatus(crd, now: state.now())
    if updated["status"]?["acceptedNames"] == crd["status"]?["acceptedNames"],
      crd["status"]?["conditions"]?.arrayValue?.count == 2
    {
      updated["status"] = crd["status"]
    }
    var finalizers = crd["metadata"]?["finalizers"]?.arrayValue ?? []
    if !finalizers.contains(.string(CRDController.cleanupFinalizer)) {
      finalizers.append(.string(CRDController.cleanupFinalizer))
      updated["metadata"]?["finalizers"] = .array(finalizers)
    }
    guard updated != crd else { return }
    _ = try? await state.objects.update(
      key: event.object.key, value: updated.encoded(), revision: event.object.revision)
  }

  /// Deletes the CRD's objects, then lets the CRD go.
  private func cleanUp(_ crd: JSONValue, definitions: [ResourceDefinition], crds: ResourceDefinition, revision: Int64)
    async
  {
    state.registry.unregister(
      group: crd["spec"]?["group"]?.stringValue ?? "", plural: crd["spec"]?["names"]?["plural"]?.stringValue ?? "")
    if let definition = definitions.first {
      let prefix = Array(definition.storagePrefix.utf8)
      _ = try? await state.log.delete(DeleteRequest(range: .prefix(prefix)))
    }
    var finished = crd
    let remaining = (crd["metadata"]?["finalizers"]?.arrayValue ?? []).filter {
      $0 != .string(CRDController.cleanupFinalizer)
    }
    finished["metadata"]?["finalizers"] = remaining.isEmpty ? nil : .array(remaining)
    let key = crds.storageKey(namespace: nil, name: crd["metadata"]?["name"]?.stringValue ?? "")
    if remaining.isEmpty {
      _ = try? await state.objects.delete(key: key, revision: revision)
    } else {
      _ = try? await state.objects.update(key: key, value: finished.encoded(), revision: revision)
    }
  }
}
