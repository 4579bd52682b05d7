import KubeAPI

// io.k8s.api.rbac.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func rbac(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.rbac.v1.Role", kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("rules", .list(.rbac("PolicyRule"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.RoleList",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.rbac("Role")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.ClusterRole",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("rules", .list(.rbac("PolicyRule"), .atomic)),
          F("aggregationRule", .rbac("AggregationRule")),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.ClusterRoleList",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.rbac("ClusterRole")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.RoleBinding",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("subjects", .list(.rbac("Subject"), .atomic)),
          F("roleRef", .rbac("RoleRef"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.RoleBindingList",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBindingList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.rbac("RoleBinding")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.ClusterRoleBinding",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("subjects", .list(.rbac("Subject"), .atomic)),
          F("roleRef", .rbac("RoleRef"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.ClusterRoleBindingList",
        kinds: [GVK(group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBindingList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.rbac("ClusterRoleBinding")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.PolicyRule",
        [
          F("verbs", .list(.str, .atomic), req: true),
          F("apiGroups", .list(.str, .atomic)),
          F("resources", .list(.str, .atomic)),
          F("resourceNames", .list(.str, .atomic)),
          F("nonResourceURLs", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.AggregationRule",
        [
          F("clusterRoleSelectors", .list(.meta("LabelSelector"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.Subject", atomic: true,
        [
          F("kind", .str, req: true),
          F("apiGroup", .str),
          F("name", .str, req: true),
          F("namespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.rbac.v1.RoleRef", atomic: true,
        [
          F("apiGroup", .str, req: true),
          F("kind", .str, req: true),
          F("name", .str, req: true),
        ]))
  }
}
