import KubeAPI

// io.k8s.api.core.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func core1(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.core.v1.Namespace", kinds: [GVK(group: "", version: "v1", kind: "Namespace")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("NamespaceSpec")),
          F("status", .core("NamespaceStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NamespaceList", kinds: [GVK(group: "", version: "v1", kind: "NamespaceList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Namespace")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Pod", kinds: [GVK(group: "", version: "v1", kind: "Pod")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("PodSpec")),
          F("status", .core("PodStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodList", kinds: [GVK(group: "", version: "v1", kind: "PodList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Pod")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Service", kinds: [GVK(group: "", version: "v1", kind: "Service")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("ServiceSpec")),
          F("status", .core("ServiceStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceList", kinds: [GVK(group: "", version: "v1", kind: "ServiceList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Service")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Endpoints", kinds: [GVK(group: "", version: "v1", kind: "Endpoints")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("subsets", .list(.core("EndpointSubset"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EndpointsList", kinds: [GVK(group: "", version: "v1", kind: "EndpointsList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Endpoints")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMap", kinds: [GVK(group: "", version: "v1", kind: "ConfigMap")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("immutable", .bool),
          F("data", .dict(.str)),
          F("binaryData", .dict(.bytes)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapList", kinds: [GVK(group: "", version: "v1", kind: "ConfigMapList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("ConfigMap")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Secret", kinds: [GVK(group: "", version: "v1", kind: "Secret")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("immutable", .bool),
          F("data", .dict(.bytes)),
          F("stringData", .dict(.str)),
          F("type", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretList", kinds: [GVK(group: "", version: "v1", kind: "SecretList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Secret")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceAccount", kinds: [GVK(group: "", version: "v1", kind: "ServiceAccount")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("secrets", .list(.core("ObjectReference"), .map("name")), patch: .merge, key: "name"),
          F("imagePullSecrets", .list(.core("LocalObjectReference"), .atomic)),
          F("automountServiceAccountToken", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceAccountList", kinds: [GVK(group: "", version: "v1", kind: "ServiceAccountList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("ServiceAccount")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Node", kinds: [GVK(group: "", version: "v1", kind: "Node")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("NodeSpec")),
          F("status", .core("NodeStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeList", kinds: [GVK(group: "", version: "v1", kind: "NodeList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Node")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Event", kinds: [GVK(group: "", version: "v1", kind: "Event")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta"), req: true),
          F("involvedObject", .core("ObjectReference"), req: true),
          F("reason", .str),
          F("message", .str),
          F("source", .core("EventSource")),
          F("firstTimestamp", .time),
          F("lastTimestamp", .time),
          F("count", .i32),
          F("type", .str),
          F("eventTime", .microTime),
          F("series", .core("EventSeries")),
          F("action", .str),
          F("related", .core("ObjectReference")),
          F("reportingComponent", .str),
          F("reportingInstance", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EventList", kinds: [GVK(group: "", version: "v1", kind: "EventList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("Event")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolume", kinds: [GVK(group: "", version: "v1", kind: "PersistentVolume")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("PersistentVolumeSpec")),
          F("status", .core("PersistentVolumeStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeList", kinds: [GVK(group: "", version: "v1", kind: "PersistentVolumeList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("PersistentVolume")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaim",
        kinds: [GVK(group: "", version: "v1", kind: "PersistentVolumeClaim")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("PersistentVolumeClaimSpec")),
          F("status", .core("PersistentVolumeClaimStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimList",
        kinds: [GVK(group: "", version: "v1", kind: "PersistentVolumeClaimList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("PersistentVolumeClaim")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LimitRange", kinds: [GVK(group: "", version: "v1", kind: "LimitRange")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("LimitRangeSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LimitRangeList", kinds: [GVK(group: "", version: "v1", kind: "LimitRangeList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("LimitRange")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceQuota", kinds: [GVK(group: "", version: "v1", kind: "ResourceQuota")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("ResourceQuotaSpec")),
          F("status", .core("ResourceQuotaStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceQuotaList", kinds: [GVK(group: "", version: "v1", kind: "ResourceQuotaList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("ResourceQuota")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodTemplate", kinds: [GVK(group: "", version: "v1", kind: "PodTemplate")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("template", .core("PodTemplateSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodTemplateList", kinds: [GVK(group: "", version: "v1", kind: "PodTemplateList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("PodTemplate")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ReplicationController",
        kinds: [GVK(group: "", version: "v1", kind: "ReplicationController")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("ReplicationControllerSpec")),
          F("status", .core("ReplicationControllerStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ReplicationControllerList",
        kinds: [GVK(group: "", version: "v1", kind: "ReplicationControllerList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("ReplicationController")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Binding", kinds: [GVK(group: "", version: "v1", kind: "Binding")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("target", .core("ObjectReference"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ComponentStatus", kinds: [GVK(group: "", version: "v1", kind: "ComponentStatus")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("conditions", .list(.core("ComponentCondition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ComponentStatusList", kinds: [GVK(group: "", version: "v1", kind: "ComponentStatusList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.core("ComponentStatus")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NamespaceSpec",
        [
          F("finalizers", .list(.str, .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NamespaceStatus",
        [
          F("phase", .str, enums: ["Active", "Terminating"]),
          F("conditions", .list(.core("NamespaceCondition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodSpec",
        [
          F("volumes", .list(.core("Volume"), .map("name")), patch: [.merge, .retainKeys], key: "name"),
          F("initContainers", .list(.core("Container"), .map("name")), patch: .merge, key: "name"),
          F("containers", .list(.core("Container"), .map("name")), req: true, patch: .merge, key: "name"),
          F("ephemeralContainers", .list(.core("EphemeralContainer"), .map("name")), patch: .merge, key: "name"),
          F("restartPolicy", .str, enums: ["Always", "Never", "OnFailure"]),
          F("terminationGracePeriodSeconds", .i64),
          F("activeDeadlineSeconds", .i64),
          F("dnsPolicy", .str, enums: ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]),
          F("nodeSelector", .dict(.str, .atomic)),
          F("serviceAccountName", .str),
          F("serviceAccount", .str),
          F("automountServiceAccountToken", .bool),
          F("nodeName", .str),
          F("hostNetwork", .bool),
          F("hostPID", .bool),
          F("hostIPC", .bool),
          F("shareProcessNamespace", .bool),
          F("securityContext", .core("PodSecurityContext")),
          F("imagePullSecrets", .list(.core("LocalObjectReference"), .map("name")), patch: .merge, key: "name"),
          F("hostname", .str),
          F("subdomain", .str),
          F("affinity", .core("Affinity")),
          F("schedulerName", .str),
          F("tolerations", .list(.core("Toleration"), .atomic)),
          F("hostAliases", .list(.core("HostAlias"), .map("ip")), patch: .merge, key: "ip"),
          F("priorityClassName", .str),
          F("priority", .i32),
          F("dnsConfig", .core("PodDNSConfig")),
          F("readinessGates", .list(.core("PodReadinessGate"), .atomic)),
          F("runtimeClassName", .str),
          F("enableServiceLinks", .bool),
          F("preemptionPolicy", .str, enums: ["Never", "PreemptLowerPriority"]),
          F("overhead", .dict(.quantity)),
          F(
            "topologySpreadConstraints",
            .list(.core("TopologySpreadConstraint"), .map("topologyKey", "whenUnsatisfiable")), patch: .merge,
            key: "topologyKey"),
          F("setHostnameAsFQDN", .bool),
          F("os", .core("PodOS")),
          F("hostUsers", .bool),
          F("schedulingGates", .list(.core("PodSchedulingGate"), .map("name")), patch: .merge, key: "name"),
          F(
            "resourceClaims", .list(.core("PodResourceClaim"), .map("name")), patch: [.merge, .retainKeys], key: "name"),
          F("resources", .core("ResourceRequirements")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodStatus",
        [
          F("phase", .str, enums: ["Failed", "Pending", "Running", "Succeeded", "Unknown"]),
          F("conditions", .list(.core("PodCondition"), .map("type")), patch: .merge, key: "type"),
          F("message", .str),
          F("reason", .str),
          F("nominatedNodeName", .str),
          F("hostIP", .str),
          F("hostIPs", .list(.core("HostIP"), .atomic), patch: .merge, key: "ip"),
          F("podIP", .str),
          F("podIPs", .list(.core("PodIP"), .map("ip")), patch: .merge, key: "ip"),
          F("startTime", .time),
          F("initContainerStatuses", .list(.core("ContainerStatus"), .atomic)),
          F("containerStatuses", .list(.core("ContainerStatus"), .atomic)),
          F("qosClass", .str, enums: ["BestEffort", "Burstable", "Guaranteed"]),
          F("ephemeralContainerStatuses", .list(.core("ContainerStatus"), .atomic)),
          F("resize", .str),
          F(
            "resourceClaimStatuses", .list(.core("PodResourceClaimStatus"), .map("name")),
            patch: [.merge, .retainKeys], key: "name"),
        ]))
  }
}
