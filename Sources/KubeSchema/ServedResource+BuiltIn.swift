extension ServedResource {
  /// The built-in resources Kubernetes v1.32 serves for the kinds the registry describes (plural, scope,
  /// verbs, subresources), for discovery and the OpenAPI documents. CRDs are added by the caller.
  public static let builtIns: [ServedResource] = {
    let all = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    let createOnly = ["create"]
    func r(
      _ group: String, _ version: String, _ kind: String, _ plural: String, namespaced: Bool = true,
      verbs: [String] = all, _ subresources: [String] = []
    ) -> ServedResource {
      ServedResource(
        group: group, version: version, kind: kind, plural: plural, namespaced: namespaced, verbs: verbs,
        subresources: subresources)
    }
    return [
      r("", "v1", "Binding", "bindings", verbs: createOnly),
      r("", "v1", "ComponentStatus", "componentstatuses", namespaced: false, verbs: ["get", "list"]),
      r("", "v1", "ConfigMap", "configmaps"),
      r("", "v1", "Endpoints", "endpoints"),
      r("", "v1", "Event", "events"),
      r("", "v1", "LimitRange", "limitranges"),
      r(
        "", "v1", "Namespace", "namespaces", namespaced: false, verbs: all.filter { $0 != "deletecollection" },
        ["finalize", "status"]),
      r("", "v1", "Node", "nodes", namespaced: false, ["proxy", "status"]),
      r("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", ["status"]),
      r("", "v1", "PersistentVolume", "persistentvolumes", namespaced: false, ["status"]),
      r(
        "", "v1", "Pod", "pods",
        ["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "status"]),
      r("", "v1", "PodTemplate", "podtemplates"),
      r("", "v1", "ReplicationController", "replicationcontrollers", ["scale", "status"]),
      r("", "v1", "ResourceQuota", "resourcequotas", ["status"]),
      r("", "v1", "Secret", "secrets"),
      r("", "v1", "ServiceAccount", "serviceaccounts", ["token"]),
      r("", "v1", "Service", "services", ["proxy", "status"]),
      r("apps", "v1", "ControllerRevision", "controllerrevisions"),
      r("apps", "v1", "DaemonSet", "daemonsets", ["status"]),
      r("apps", "v1", "Deployment", "deployments", ["scale", "status"]),
      r("apps", "v1", "ReplicaSet", "replicasets", ["scale", "status"]),
      r("apps", "v1", "StatefulSet", "statefulsets", ["scale", "status"]),
      r("batch", "v1", "CronJob", "cronjobs", ["status"]),
      r("batch", "v1", "Job", "jobs", ["status"]),
      r("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", ["status"]),
      r("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", ["status"]),
      r("networking.k8s.io", "v1", "IngressClass", "ingressclasses", namespaced: false),
      r("networking.k8s.io", "v1", "Ingress", "ingresses", ["status"]),
      r("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies"),
      r("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
      r("coordination.k8s.io", "v1", "Lease", "leases"),
      r("events.k8s.io", "v1", "Event", "events"),
      r("storage.k8s.io", "v1", "CSIDriver", "csidrivers", namespaced: false),
      r("storage.k8s.io", "v1", "CSINode", "csinodes", namespaced: false),
      r("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced: false),
      r("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", namespaced: false, ["status"]),
      r("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced: false),
      r("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced: false),
      r("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
      r("rbac.authorization.k8s.io", "v1", "Role", "roles"),
      r(
        "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", namespaced: false,
        ["status"]),
      r("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", ["status"]),
      r("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", namespaced: false),
      r("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", namespaced: false),
      r(
        "certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", namespaced: false,
        ["approval", "status"]),
      r("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", namespaced: false, verbs: createOnly),
      r("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", namespaced: false, verbs: createOnly),
      r("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", verbs: createOnly),
      r(
        "authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", namespaced: false,
        verbs: createOnly),
      r(
        "authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", namespaced: false,
        verbs: createOnly),
      r(
        "authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", namespaced: false,
        verbs: createOnly),
      r(
        "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
        namespaced: false),
      r(
        "admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
        namespaced: false),
    ]
  }()
}
