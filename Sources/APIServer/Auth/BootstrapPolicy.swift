import KubeAPI

/// The default cluster roles and bindings upstream's RBAC bootstrap creates (the ones users
/// and kubectl rely on), written as data.
enum BootstrapPolicy {
  static func rule(_ groups: [String], _ resources: [String], _ verbs: [String]) -> JSONValue {
    .object([
      "apiGroups": .array(groups.map(JSONValue.string)), "resources": .array(resources.map(JSONValue.string)),
      "verbs": .array(verbs.map(JSONValue.string)),
    ])
  }

  static func urls(_ paths: [String], _ verbs: [String]) -> JSONValue {
    .object(["nonResourceURLs": .array(paths.map(JSONValue.string)), "verbs": .array(verbs.map(JSONValue.string))])
  }

  static func role(_ name: String, _ rules: [JSONValue], labels: [String: String] = [:]) -> [String: JSONValue] {
    var metadata: [String: JSONValue] = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues(JSONValue.string)) }
    return ["metadata": .object(metadata), "rules": .array(rules)]
  }

  static let read = ["get", "list", "watch"]
  static let write = ["create", "delete", "deletecollection", "patch", "update"]

  /// view: read everything in a namespace except secrets.
  static let viewRules: [JSONValue] = [
    rule(
      [""],
      [
        "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "pods/log",
        "pods/status", "replicationcontrollers", "replicationcontrollers/scale", "replicationcontrollers/status",
        "serviceaccounts", "services", "services/status", "bindings", "events", "limitranges", "namespaces",
        "namespaces/status", "resourcequotas", "resourcequotas/status",
      ], read),
    rule(
      ["apps"],
      [
        "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
        "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
        "statefulsets/scale", "statefulsets/status",
      ], read),
    rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], read),
    rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], read),
    rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], read),
    rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], read),
    rule(["discovery.k8s.io"], ["endpointslices"], read),
  ]

  static let editRules: [JSONValue] =
    viewRules + [
      rule(
        [""],
        [
          "pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "configmaps", "endpoints",
          "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets",
          "serviceaccounts", "services", "services/proxy",
        ], write + read),
      rule([""], ["pods/eviction", "serviceaccounts/token"], ["create"]),
      rule(
        ["apps"],
        [
          "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
          "replicasets/scale", "statefulsets", "statefulsets/scale",
        ], write),
      rule(["autoscaling"], ["horizontalpodautoscalers"], write),
      rule(["batch"], ["cronjobs", "jobs"], write),
      rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], write),
      rule(["policy"], ["poddisruptionbudgets"], write),
      rule(["discovery.k8s.io"], ["endpointslices"], write),
    ]

  static let adminRules: [JSONValue] =
    editRules + [
      rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], write + read),
      rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    ]

  static let clusterRoles: [[String: JSONValue]] = [
    role("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
    role("admin", adminRules, labels: ["kubernetes.io/bootstrapping": "rbac-defaults"]),
    role("edit", editRules, labels: ["rbac.authorization.k8s.io/aggregate-to-admin": "true"]),
    role("view", viewRules, labels: ["rbac.authorization.k8s.io/aggregate-to-edit": "true"]),
    role(
      "system:basic-user",
      [
        rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
        rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
      ]),
    role(
      "system:discovery",
      [
        urls(
          [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version",
            "/version/",
          ], ["get"])
      ]),
    role("system:public-info-viewer", [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]),
    role(
      "system:monitoring",
      [
        urls(
          ["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], ["get"]
        )
      ]),
    role(
      "system:node",
      [
        rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
        rule(["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
        rule([""], ["services", "endpoints"], read),
        rule([""], ["nodes"], ["create", "get", "list", "watch", "patch", "update", "delete"]),
        rule([""], ["nodes/status"], ["patch", "update"]),
        rule([""], ["events"], ["create", "patch", "update"]),
        rule([""], ["pods"], ["get", "list", "watch", "create", "delete"]),
        rule([""], ["pods/status"], ["patch", "update"]),
        rule([""], ["pods/eviction"], ["create"]),
        // secrets, configmaps, PVCs and PVs: NodeAuthorizer grants get for what the node's pods use.
        rule([""], ["serviceaccounts/token"], ["create"]),
        rule(["coordination.k8s.io"], ["leases"], ["create", "delete", "get", "patch", "update"]),
        rule(["storage.k8s.io"], ["csidrivers", "csinodes", "volumeattachments"], ["get", "list", "watch"]),
        rule(["node.k8s.io"], ["runtimeclasses"], ["get", "list", "watch"]),
        rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"]),
        rule(["discovery.k8s.io"], ["endpointslices"], read),
      ]),
    // What each node's in-process service proxy and network policy read, as kube-proxy's and
    // kube-router's roles give them.
    role(
      "skiff:node-network",
      [rule([""], ["namespaces"], read), rule(["networking.k8s.io"], ["networkpolicies"], read)]),
    // TLS bootstrap (kubeadm's names): bootstrap tokens may request node client certificates, and the
    // csrapproving controller approves what these subresource permissions allow.
    role(
      "system:node-bootstrapper",
      [rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]),
    role(
      "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      [rule(["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"], ["create"])]),
    role(
      "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
      [rule(["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"], ["create"])]),
    role(
      "system:kubelet-api-admin",
      [
        rule([""], ["nodes"], ["get", "list", "watch", "proxy"]),
        rule([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"]),
      ]),
  ]

  static func binding(_ name: String, role: String, groups: [String], users: [String] = []) -> [String: JSONValue] {
    [
      "metadata": .object(["name": .string(name)]),
      "roleRef": .object([
        "apiGroup": .string("rbac.authorization.k8s.io"), "kind": .string("ClusterRole"), "name": .string(role),
      ]),
      "subjects": .array(
        groups.map {
          .object(["apiGroup": .string("rbac.authorization.k8s.io"), "kind": .string("Group"), "name": .string($0)])
        }
          + users.map {
            .object(["apiGroup": .string("rbac.authorization.k8s.io"), "kind": .string("User"), "name": .string($0)])
          }),
    ]
  }

  static let clusterRoleBindings: [[String: JSONValue]] = [
    binding("cluster-admin", role: "cluster-admin", groups: ["system:masters"]),
    binding("system:basic-user", role: "system:basic-user", groups: ["system:authenticated"]),
    binding("system:discovery", role: "system:discovery", groups: ["system:authenticated"]),
    binding(
      "system:public-info-viewer", role: "system:public-info-viewer",
      groups: ["system:authenticated", "system:unauthenticated"]),
    binding("system:monitoring", role: "system:monitoring", groups: ["system:monitoring"]),
    binding("system:node", role: "system:node", groups: ["system:nodes"]),
    binding("skiff:node-network", role: "skiff:node-network", groups: ["system:nodes"]),
    binding("system:node-bootstrapper", role: "system:node-bootstrapper", groups: ["system:bootstrappers"]),
    binding(
      "skiff:node-autoapprove-bootstrap", role: "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
      groups: ["system:bootstrappers"]),
    binding(
      "skiff:node-autoapprove-certificate-rotation",
      role: "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", groups: ["system:nodes"]),
    // The API server's client certificate towards kubelets (CN system:apiserver), as upstream
    // binds kube-apiserver-kubelet-client.
    binding("system:kubelet-api-admin", role: "system:kubelet-api-admin", groups: [], users: ["system:apiserver"]),
  ]
}
