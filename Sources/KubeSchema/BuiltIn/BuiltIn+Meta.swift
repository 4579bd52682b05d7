import KubeAPI

// io.k8s.apimachinery.pkg.apis.meta.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func meta(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        [
          F("name", .str),
          F("generateName", .str),
          F("namespace", .str),
          F("selfLink", .str),
          F("uid", .str),
          F("resourceVersion", .str),
          F("generation", .i64),
          F("creationTimestamp", .time),
          F("deletionTimestamp", .time),
          F("deletionGracePeriodSeconds", .i64),
          F("labels", .dict(.str)),
          F("annotations", .dict(.str)),
          F("ownerReferences", .list(.meta("OwnerReference"), .map("uid")), patch: .merge, key: "uid"),
          F("finalizers", .list(.str, .set), patch: .merge),
          F("managedFields", .list(.meta("ManagedFieldsEntry"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
        [
          F("selfLink", .str),
          F("resourceVersion", .str),
          F("continue", .str),
          F("remainingItemCount", .i64),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status", kinds: [GVK(group: "", version: "v1", kind: "Status")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("status", .str),
          F("message", .str),
          F("reason", .str),
          F("details", .meta("StatusDetails")),
          F("code", .i32),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("gracePeriodSeconds", .i64),
          F("preconditions", .meta("Preconditions")),
          F("orphanDependents", .bool),
          F("propagationPolicy", .str),
          F("dryRun", .list(.str, .atomic)),
          F("ignoreStoreReadErrorWithClusterBreakingPotential", .bool),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        [
          F("type", .str, req: true),
          F("object", .raw, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Table",
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("columnDefinitions", .list(.meta("TableColumnDefinition"), .atomic), req: true),
          F("rows", .list(.meta("TableRow"), .atomic), req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", atomic: true,
        [
          F("apiVersion", .str, req: true),
          F("kind", .str, req: true),
          F("name", .str, req: true),
          F("uid", .str, req: true),
          F("controller", .bool),
          F("blockOwnerDeletion", .bool),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
        [
          F("manager", .str),
          F("operation", .str),
          F("apiVersion", .str),
          F("time", .time),
          F("fieldsType", .str),
          F("fieldsV1", .raw),
          F("subresource", .str),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", atomic: true,
        [
          F("matchLabels", .dict(.str)),
          F("matchExpressions", .list(.meta("LabelSelectorRequirement"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup", kinds: [GVK(group: "", version: "v1", kind: "APIGroup")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("name", .str, req: true),
          F("versions", .list(.meta("GroupVersionForDiscovery"), .atomic), req: true),
          F("preferredVersion", .meta("GroupVersionForDiscovery")),
          F("serverAddressByClientCIDRs", .list(.meta("ServerAddressByClientCIDR"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
        kinds: [GVK(group: "", version: "v1", kind: "APIGroupList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("groups", .list(.meta("APIGroup"), .atomic), req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
        kinds: [GVK(group: "", version: "v1", kind: "APIResourceList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("groupVersion", .str, req: true),
          F("resources", .list(.meta("APIResource"), .atomic), req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions", kinds: [GVK(group: "", version: "v1", kind: "APIVersions")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("versions", .list(.str, .atomic), req: true),
          F("serverAddressByClientCIDRs", .list(.meta("ServerAddressByClientCIDR"), .atomic), req: true),
        ]))
    r.append(
      T("io.k8s.apimachinery.pkg.apis.meta.v1.Patch", []))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("observedGeneration", .i64),
          F("lastTransitionTime", .time, req: true),
          F("reason", .str, req: true),
          F("message", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
        [
          F("name", .str),
          F("group", .str),
          F("kind", .str),
          F("uid", .str),
          F("causes", .list(.meta("StatusCause"), .atomic)),
          F("retryAfterSeconds", .i32),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
        [
          F("uid", .str),
          F("resourceVersion", .str),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.TableColumnDefinition",
        [
          F("name", .str, req: true),
          F("type", .str, req: true),
          F("format", .str, req: true),
          F("description", .str, req: true),
          F("priority", .i32, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.TableRow",
        [
          F("cells", .list(.raw, .atomic), req: true),
          F("conditions", .list(.meta("TableRowCondition"), .atomic)),
          F("object", .raw),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        [
          F("key", .str, req: true),
          F("operator", .str, req: true),
          F("values", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery",
        [
          F("groupVersion", .str, req: true),
          F("version", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR",
        [
          F("clientCIDR", .str, req: true),
          F("serverAddress", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.APIResource",
        [
          F("name", .str, req: true),
          F("singularName", .str, req: true),
          F("namespaced", .bool, req: true),
          F("group", .str),
          F("version", .str),
          F("kind", .str, req: true),
          F("verbs", .list(.str), req: true),
          F("shortNames", .list(.str, .atomic)),
          F("categories", .list(.str, .atomic)),
          F("storageVersionHash", .str),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
        [
          F("reason", .str),
          F("message", .str),
          F("field", .str),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.TableRowCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement",
        [
          F("key", .str, req: true),
          F("operator", .str, req: true),
          F("values", .list(.str, .atomic)),
        ]))
  }
}
