import KubeAPI

// io.k8s.api.autoscaling.v2: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func autoscalingV2(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
        kinds: [GVK(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .autoscalingV2("HorizontalPodAutoscalerSpec")),
          F("status", .autoscalingV2("HorizontalPodAutoscalerStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList",
        kinds: [GVK(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscalerList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.autoscalingV2("HorizontalPodAutoscaler")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec",
        [
          F("scaleTargetRef", .autoscalingV2("CrossVersionObjectReference"), req: true),
          F("minReplicas", .i32),
          F("maxReplicas", .i32, req: true),
          F("metrics", .list(.autoscalingV2("MetricSpec"), .atomic)),
          F("behavior", .autoscalingV2("HorizontalPodAutoscalerBehavior")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus",
        [
          F("observedGeneration", .i64),
          F("lastScaleTime", .time),
          F("currentReplicas", .i32),
          F("desiredReplicas", .i32, req: true),
          F("currentMetrics", .list(.autoscalingV2("MetricStatus"), .atomic)),
          F(
            "conditions", .list(.autoscalingV2("HorizontalPodAutoscalerCondition"), .map("type")), patch: .merge,
            key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.CrossVersionObjectReference",
        [
          F("kind", .str, req: true),
          F("name", .str, req: true),
          F("apiVersion", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.MetricSpec",
        [
          F("type", .str, req: true),
          F("object", .autoscalingV2("ObjectMetricSource")),
          F("pods", .autoscalingV2("PodsMetricSource")),
          F("resource", .autoscalingV2("ResourceMetricSource")),
          F("containerResource", .autoscalingV2("ContainerResourceMetricSource")),
          F("external", .autoscalingV2("ExternalMetricSource")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
        [
          F("scaleUp", .autoscalingV2("HPAScalingRules")),
          F("scaleDown", .autoscalingV2("HPAScalingRules")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.MetricStatus",
        [
          F("type", .str, req: true),
          F("object", .autoscalingV2("ObjectMetricStatus")),
          F("pods", .autoscalingV2("PodsMetricStatus")),
          F("resource", .autoscalingV2("ResourceMetricStatus")),
          F("containerResource", .autoscalingV2("ContainerResourceMetricStatus")),
          F("external", .autoscalingV2("ExternalMetricStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ObjectMetricSource",
        [
          F("describedObject", .autoscalingV2("CrossVersionObjectReference"), req: true),
          F("target", .autoscalingV2("MetricTarget"), req: true),
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.PodsMetricSource",
        [
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
          F("target", .autoscalingV2("MetricTarget"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ResourceMetricSource",
        [
          F("name", .str, req: true),
          F("target", .autoscalingV2("MetricTarget"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ContainerResourceMetricSource",
        [
          F("name", .str, req: true),
          F("target", .autoscalingV2("MetricTarget"), req: true),
          F("container", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ExternalMetricSource",
        [
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
          F("target", .autoscalingV2("MetricTarget"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HPAScalingRules",
        [
          F("stabilizationWindowSeconds", .i32),
          F("selectPolicy", .str),
          F("policies", .list(.autoscalingV2("HPAScalingPolicy"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ObjectMetricStatus",
        [
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
          F("current", .autoscalingV2("MetricValueStatus"), req: true),
          F("describedObject", .autoscalingV2("CrossVersionObjectReference"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.PodsMetricStatus",
        [
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
          F("current", .autoscalingV2("MetricValueStatus"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ResourceMetricStatus",
        [
          F("name", .str, req: true),
          F("current", .autoscalingV2("MetricValueStatus"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus",
        [
          F("name", .str, req: true),
          F("current", .autoscalingV2("MetricValueStatus"), req: true),
          F("container", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.ExternalMetricStatus",
        [
          F("metric", .autoscalingV2("MetricIdentifier"), req: true),
          F("current", .autoscalingV2("MetricValueStatus"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.MetricTarget",
        [
          F("type", .str, req: true),
          F("value", .quantity),
          F("averageValue", .quantity),
          F("averageUtilization", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.MetricIdentifier",
        [
          F("name", .str, req: true),
          F("selector", .meta("LabelSelector")),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.HPAScalingPolicy",
        [
          F("type", .str, req: true),
          F("value", .i32, req: true),
          F("periodSeconds", .i32, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.autoscaling.v2.MetricValueStatus",
        [
          F("value", .quantity),
          F("averageValue", .quantity),
          F("averageUtilization", .i32),
        ]))
  }
}
