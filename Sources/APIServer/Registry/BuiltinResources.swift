/// The built-in resources skiff serves, Kubernetes v1.32 names and scopes. Kind-specific
/// behaviour lives in the strategies (`Strategies/`); everything here is naming.
enum BuiltinResources {
  static func all() -> [ResourceDefinition] {
    var list: [ResourceDefinition] = []
    func add(
      _ group: String, _ version: String, _ kind: String, _ plural: String, namespaced: Bool = true,
      short: [String] = [], categories: [String] = [], verbs: [String] = ResourceDefinition.allVerbs,
      sub: Set<ResourceDefinition.Subresource> = []
    ) {
      list.append(
        ResourceDefinition(
          group: group, version: version, kind: kind, plural: plural, singular: kind.lowercased(),
          namespaced: namespaced, shortNames: short, categories: categories, verbs: verbs, subresources: sub,
          strategy: Strategies.strategy(group: group, kind: kind)))
    }
    let all = ["all"]
    // core v1
    add(
      "", "v1", "Namespace", "namespaces", namespaced: false, short: ["ns"],
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"], sub: [.status, .finalize])
    add(
      "", "v1", "Pod", "pods", short: ["po"], categories: all,
      sub: [.status, .binding, .eviction, .log, .exec, .attach, .portforward, .proxy])
    add(
      "", "v1", "Service", "services", short: ["svc"], categories: all,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      sub: [.status, .proxy])
    add("", "v1", "Endpoints", "endpoints", short: ["ep"])
    add("", "v1", "ConfigMap", "configmaps", short: ["cm"])
    add("", "v1", "Secret", "secrets")
    add("", "v1", "ServiceAccount", "serviceaccounts", short: ["sa"], sub: [.token])
    add("", "v1", "Node", "nodes", namespaced: false, short: ["no"], sub: [.status, .proxy])
    add("", "v1", "Event", "events", short: ["ev"])
    add("", "v1", "PersistentVolume", "persistentvolumes", namespaced: false, short: ["pv"], sub: [.status])
    add("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short: ["pvc"], sub: [.status])
    add("", "v1", "LimitRange", "limitranges", short: ["limits"])
    add("", "v1", "ResourceQuota", "resourcequotas", short: ["quota"], sub: [.status])
    add("", "v1", "PodTemplate", "podtemplates")
    add(
      "", "v1", "ReplicationController", "replicationcontrollers", short: ["rc"], categories: all,
      sub: [.status, .scale])
    add("", "v1", "Binding", "bindings", verbs: ["create"])
    // apps/v1
    for (kind, plural, short) in [
      ("Deployment", "deployments", ["deploy"]), ("ReplicaSet", "replicasets", ["rs"]),
      ("StatefulSet", "statefulsets", ["sts"]),
    ] {
      add("apps", "v1", kind, plural, short: short, categories: all, sub: [.status, .scale])
    }
    add("apps", "v1", "DaemonSet", "daemonsets", short: ["ds"], categories: all, sub: [.status])
    add("apps", "v1", "ControllerRevision", "controllerrevisions")
    // batch/v1
    add("batch", "v1", "Job", "jobs", categories: all, sub: [.status])
    add("batch", "v1", "CronJob", "cronjobs", short: ["cj"], categories: all, sub: [.status])
    // networking.k8s.io/v1
    add("networking.k8s.io", "v1", "Ingress", "ingresses", short: ["ing"], sub: [.status])
    add("networking.k8s.io", "v1", "IngressClass", "ingressclasses", namespaced: false)
    add("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short: ["netpol"])
    add("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices")
    add("coordination.k8s.io", "v1", "Lease", "leases")
    // storage.k8s.io/v1
    add("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced: false, short: ["sc"])
    add("storage.k8s.io", "v1", "CSIDriver", "csidrivers", namespaced: false)
    add("storage.k8s.io", "v1", "CSINode", "csinodes", namespaced: false)
    add("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", namespaced: false, sub: [.status])
    // rbac.authorization.k8s.io/v1
    add("rbac.authorization.k8s.io", "v1", "Role", "roles")
    add("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings")
    add("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false)
    add("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced: false)
    add(
      "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", namespaced: false,
      short: ["crd", "crds"], sub: [.status])
    add("events.k8s.io", "v1", "Event", "events", short: ["ev"])
    add("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short: ["pdb"], sub: [.status])
    add("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", namespaced: false, short: ["pc"])
    add("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", namespaced: false)
    add(
      "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short: ["hpa"], categories: all,
      sub: [.status])
    add(
      "autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", short: ["hpa"], categories: all,
      sub: [.status])
    list[list.count - 1].storageVersion = "v2"
    list[list.count - 1].conversion = VersionConversion(toStorage: HPAConversion.toV2, fromStorage: HPAConversion.toV1)
    add(
      "certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", namespaced: false,
      short: ["csr"], sub: [.status, .approval])
    // Virtual review resources: create only, never stored.
    add("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", namespaced: false, verbs: ["create"])
    add("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", namespaced: false, verbs: ["create"])
    for kind in ["SelfSubjectAccessReview", "SubjectAccessReview", "SelfSubjectRulesReview"] {
      add("authorization.k8s.io", "v1", kind, kind.lowercased() + "s", namespaced: false, verbs: ["create"])
    }
    add("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", verbs: ["create"])
    return list
  }

  /// Preferred version first, as discovery lists them.
  static let groupOrder = [
    "", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch",
    "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
    "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
  ]
}
