import KubeAPI

/// Upstream's Node authorizer, for kubelets authenticated as `system:node:<name>` in `system:nodes`: secrets,
/// config maps, volume claims and volumes only when a pod bound to the node uses them, service-account tokens
/// only for accounts such pods run as, and writes to Node, Lease and pod status objects only for the node's own
/// (the part of NodeRestriction an authorizer can see). Everything else is left to RBAC (the `system:node` role).
enum NodeAuthorizer {
  enum Decision: Equatable {
    case allow
    case deny
    /// Not a node request, or not a resource this authorizer judges: RBAC decides.
    case noOpinion
  }

  static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]

  static func decide(_ attributes: RequestAttributes, state: APIState) async -> Decision {
    let prefix = "system:node:"
    guard attributes.path == nil, attributes.user.groups.contains("system:nodes"),
      attributes.user.name.hasPrefix(prefix)
    else { return .noOpinion }
    let node = String(attributes.user.name.dropFirst(prefix.count))
    let verb = attributes.verb
    switch (attributes.group, attributes.resource, attributes.subresource) {
    case ("", "secrets", ""), ("", "configmaps", ""), ("", "persistentvolumeclaims", ""):
      guard verb == "get", !attributes.name.isEmpty else { return .deny }
      let pods = await boundPods(node: node, namespace: attributes.namespace, state: state)
      let used = pods.map(references).reduce(into: Set<String>()) { result, refs in
        switch attributes.resource {
        case "secrets": result.formUnion(refs.secrets)
        case "configmaps": result.formUnion(refs.configMaps)
        default: result.formUnion(refs.claims)
        }
      }
      return used.contains(attributes.name) ? .allow : .deny
    case ("", "persistentvolumes", ""):
      guard verb == "get", !attributes.name.isEmpty else { return .deny }
      return await volumes(node: node, state: state).contains(attributes.name) ? .allow : .deny
    case ("", "serviceaccounts", "token"):
      guard verb == "create" else { return .deny }
      let pods = await boundPods(node: node, namespace: attributes.namespace, state: state)
      return pods.contains { serviceAccount($0) == attributes.name } ? .allow : .deny
    case ("", "nodes", _):
      if writeVerbs.contains(verb), !attributes.name.isEmpty, attributes.name != node { return .deny }
      return .noOpinion
    case ("coordination.k8s.io", "leases", _):
      if writeVerbs.contains(verb), attributes.namespace == "kube-node-lease", !attributes.name.isEmpty,
        attributes.name != node
      {
        return .deny
      }
      return .noOpinion
    case ("", "pods", "status"):
      guard writeVerbs.contains(verb) else { return .noOpinion }
      let pods = await boundPods(node: node, namespace: attributes.namespace, state: state)
      return pods.contains { $0["metadata"]?["name"]?.stringValue == attributes.name } ? .noOpinion : .deny
    default:
      return .noOpinion
    }
  }

  /// Pods in `namespace` (all namespaces when empty) whose `spec.nodeName` is `node`.
  static func boundPods(node: String, namespace: String, state: APIState) async -> [JSONValue] {
    guard let pods = state.registry.lookup(group: "", version: "v1", plural: "pods") else { return [] }
    let cache = state.cache(for: pods)
    await cache.waitUntilFresh(state.log.currentRevision)
    let prefix = namespace.isEmpty ? pods.storagePrefix : pods.storagePrefix(namespace: namespace)
    return cache.snapshot(prefix: prefix).objects.map(\.object).filter {
      $0["spec"]?["nodeName"]?.stringValue == node
    }
  }

  /// The persistent volumes bound to claims that pods on `node` use.
  static func volumes(node: String, state: APIState) async -> Set<String> {
    guard let claims = state.registry.lookup(group: "", version: "v1", plural: "persistentvolumeclaims") else {
      return []
    }
    let cache = state.cache(for: claims)
    await cache.waitUntilFresh(state.log.currentRevision)
    var result: Set<String> = []
    for pod in await boundPods(node: node, namespace: "", state: state) {
      let namespace = pod["metadata"]?["namespace"]?.stringValue ?? ""
      for claim in references(pod).claims {
        let object = cache.object(key: claims.storageKey(namespace: namespace, name: claim))?.object
        if let volume = object?["spec"]?["volumeName"]?.stringValue, !volume.isEmpty { result.insert(volume) }
      }
    }
    return result
  }

  static func serviceAccount(_ pod: JSONValue) -> String {
    let name = pod["spec"]?["serviceAccountName"]?.stringValue ?? pod["spec"]?["serviceAccount"]?.stringValue ?? ""
    return name.isEmpty ? "default" : name
  }

  struct References {
    var secrets: Set<String> = []
    var configMaps: Set<String> = []
    var claims: Set<String> = []
  }

  /// Everything a pod names: volumes (incl. projected and ephemeral claims), env and envFrom, image pull secrets.
  static func references(_ pod: JSONValue) -> References {
    var refs = References()
    let spec = pod["spec"] ?? [:]
    let podName = pod["metadata"]?["name"]?.stringValue ?? ""
    func add(_ set: WritableKeyPath<References, Set<String>>, _ value: JSONValue?) {
      if let name = value?.stringValue, !name.isEmpty { refs[keyPath: set].insert(name) }
    }
    for secret in spec["imagePullSecrets"]?.arrayValue ?? [] { add(\.secrets, secret["name"]) }
    for volume in spec["volumes"]?.arrayValue ?? [] {
      add(\.secrets, volume["secret"]?["secretName"])
      add(\.configMaps, volume["configMap"]?["name"])
      add(\.claims, volume["persistentVolumeClaim"]?["claimName"])
      if volume["ephemeral"] != nil, let name = volume["name"]?.stringValue { refs.claims.insert("\(podName)-\(name)") }
      for source in volume["projected"]?["sources"]?.arrayValue ?? [] {
        add(\.secrets, source["secret"]?["name"])
        add(\.configMaps, source["configMap"]?["name"])
      }
      for driver in ["csi", "cephfs", "rbd", "iscsi", "flexVolume", "azureFile", "scaleIO", "storageos"] {
        add(\.secrets, volume[driver]?["nodePublishSecretRef"]?["name"])
        add(\.secrets, volume[driver]?["secretRef"]?["name"])
      }
      add(\.secrets, volume["azureFile"]?["secretName"])
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
      for container in spec[list]?.arrayValue ?? [] {
        for variable in container["env"]?.arrayValue ?? [] {
          add(\.secrets, variable["valueFrom"]?["secretKeyRef"]?["name"])
          add(\.configMaps, variable["valueFrom"]?["configMapKeyRef"]?["name"])
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
          add(\.secrets, source["secretRef"]?["name"])
          add(\.configMaps, source["configMapRef"]?["name"])
        }
      }
    }
    return refs
  }
}
