import KubeAPI

// io.k8s.api.autoscaling.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func autoscalingV1(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
        kinds: [GVK(group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscaler")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .autoscalingV1("HorizontalPodAutoscalerSpec")),
          F("status", .autoscalingV1("HorizontalPodAutoscalerStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList",
        kinds: [GVK(group: "autoscaling", version: "v1", kind: "HorizontalPodAutoscalerList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.autoscalingV1("HorizontalPodAutoscaler")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.Scale", kinds: [GVK(group: "autoscaling", version: "v1", kind: "Scale")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .autoscalingV1("ScaleSpec")),
          F("status", .autoscalingV1("ScaleStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec",
        [
          F("scaleTargetRef", .autoscalingV1("CrossVersionObjectReference"), req: true),
          F("minReplicas", .i32),
          F("maxReplicas", .i32, req: true),
          F("targetCPUUtilizationPercentage", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus",
        [
          F("observedGeneration", .i64),
          F("lastScaleTime", .time),
          F("currentReplicas", .i32, req: true),
          F("desiredReplicas", .i32, req: true),
          F("currentCPUUtilizationPercentage", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.ScaleSpec",
        [
          F("replicas", .i32)
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.ScaleStatus",
        [
          F("replicas", .i32, req: true),
          F("selector", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v1.CrossVersionObjectReference", atomic: true,
        [
          F("kind", .str, req: true),
          F("name", .str, req: true),
          F("apiVersion", .str),
        ]))
  }
}
