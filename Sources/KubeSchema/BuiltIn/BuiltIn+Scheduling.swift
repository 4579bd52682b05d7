import KubeAPI

// io.k8s.api.scheduling.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func scheduling(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.scheduling.v1.PriorityClass",
        kinds: [GVK(group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("value", .i32, req: true),
          F("globalDefault", .bool),
          F("description", .str),
          F("preemptionPolicy", .str, enums: ["Never", "PreemptLowerPriority"]),
        ]))
    r.append(
      T(
        "io.k8s.api.scheduling.v1.PriorityClassList",
        kinds: [GVK(group: "scheduling.k8s.io", version: "v1", kind: "PriorityClassList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.scheduling("PriorityClass")), req: true),
        ]))
  }
}
