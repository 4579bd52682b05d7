import KubeAPI
import Store

/// What every cluster has before its first request: the system namespaces, the `kubernetes`
/// Service, the default RBAC roles and bindings, and the two system priority classes.
/// Existing objects are left as they are, so restarts and other servers change nothing.
struct Bootstrap: Sendable {
  let state: APIState
  let advertiseAddress: String
  let port: Int

  func run() async throws {
    guard let services = state.registry.lookup(group: "", version: "v1", plural: "services") else { return }
    await state.cache(for: services).waitUntilFresh(state.log.currentRevision)
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
      try await ensure("namespaces", ["metadata": .object(["name": .string(name)])])
    }
    let clusterIP = state.serviceAllocator?.address(1) ?? "10.43.0.1"
    try await ensure(
      "services",
      [
        "metadata": .object([
          "name": .string("kubernetes"), "namespace": .string("default"),
          "labels": .object(["component": .string("apiserver"), "provider": .string("kubernetes")]),
        ]),
        "spec": .object([
          "clusterIP": .string(clusterIP),
          "ports": .array([
            .object([
              "name": .string("https"), "port": .int(443), "protocol": .string("TCP"), "targetPort": .int(Int64(port)),
            ])
          ]),
        ]),
      ])
    try await ensure(
      "endpoints",
      [
        "metadata": .object(["name": .string("kubernetes"), "namespace": .string("default")]),
        "subsets": .array([
          .object([
            "addresses": .array([.object(["ip": .string(advertiseAddress)])]),
            "ports": .array([
              .object(["name": .string("https"), "port": .int(Int64(port)), "protocol": .string("TCP")])
            ]),
          ])
        ]),
      ])
    for (name, value) in [("system-node-critical", Int64(2_000_001_000)), ("system-cluster-critical", 2_000_000_000)] {
      try await ensure(
        "priorityclasses", group: "scheduling.k8s.io",
        [
          "metadata": .object(["name": .string(name)]), "value": .int(value),
          "description": .string("Used for system critical pods that must not be moved from their current node."),
          "preemptionPolicy": .string("PreemptLowerPriority"),
        ])
    }
    for role in BootstrapPolicy.clusterRoles {
      try await ensure("clusterroles", group: "rbac.authorization.k8s.io", role)
    }
    for binding in BootstrapPolicy.clusterRoleBindings {
      try await ensure("clusterrolebindings", group: "rbac.authorization.k8s.io", binding)
    }
    state.isBootstrapped = true
  }

  /// Creates the object unless one of that name exists.
  private func ensure(_ plural: String, group: String = "", _ members: [String: JSONValue]) async throws {
    guard let definition = state.registry.all.first(where: { $0.group == group && $0.plural == plural }) else { return }
    var object = JSONValue.object(members)
    object["apiVersion"] = .string(definition.apiVersion)
    object["kind"] = .string(definition.kind)
    var metadata = object["metadata"] ?? .object([:])
    ObjectLifecycle.initialize(&metadata, tracksGeneration: definition.strategy.tracksGeneration, now: state.now())
    metadata["annotations"] = metadata["annotations"]
    if definition.group == "rbac.authorization.k8s.io" {
      var labels = metadata["labels"] ?? .object([:])
      labels["kubernetes.io/bootstrapping"] = .string("rbac-defaults")
      metadata["labels"] = labels
      var annotations = metadata["annotations"] ?? .object([:])
      annotations["rbac.authorization.kubernetes.io/autoupdate"] = .string("true")
      metadata["annotations"] = annotations
    }
    object["metadata"] = metadata
    let name = metadata["name"]?.stringValue ?? ""
    let key = definition.storageKey(namespace: metadata["namespace"]?.stringValue, name: name)
    if (try await state.objects.get(key: key)) != nil { return }
    try definition.strategy.defaults(&object, StrategyContext(now: state.now(), isCreate: true, allocator: nil))
    do {
      _ = try await state.objects.create(key: key, value: object.encoded())
    } catch ObjectStore.Outcome.exists {
      return
    }
  }
}
