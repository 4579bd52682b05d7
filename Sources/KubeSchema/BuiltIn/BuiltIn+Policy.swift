import KubeAPI

// io.k8s.api.policy.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func policy(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.policy.v1.PodDisruptionBudget",
        kinds: [GVK(group: "policy", version: "v1", kind: "PodDisruptionBudget")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .policy("PodDisruptionBudgetSpec")),
          F("status", .policy("PodDisruptionBudgetStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.policy.v1.PodDisruptionBudgetList",
        kinds: [GVK(group: "policy", version: "v1", kind: "PodDisruptionBudgetList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.policy("PodDisruptionBudget")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.policy.v1.Eviction", kinds: [GVK(group: "policy", version: "v1", kind: "Eviction")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("deleteOptions", .meta("DeleteOptions")),
        ]))
    r.append(
      T(
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        [
          F("minAvailable", .intOrString),
          F("selector", .meta("LabelSelector"), patch: .replace),
          F("maxUnavailable", .intOrString),
          F("unhealthyPodEvictionPolicy", .str, enums: ["AlwaysAllow", "IfHealthyBudget"]),
        ]))
    r.append(
      T(
        "io.k8s.api.policy.v1.PodDisruptionBudgetStatus",
        [
          F("observedGeneration", .i64),
          F("disruptedPods", .dict(.time)),
          F("disruptionsAllowed", .i32, req: true),
          F("currentHealthy", .i32, req: true),
          F("desiredHealthy", .i32, req: true),
          F("expectedPods", .i32, req: true),
          F("conditions", .list(.meta("Condition"), .map("type")), patch: .merge, key: "type"),
        ]))
  }
}
