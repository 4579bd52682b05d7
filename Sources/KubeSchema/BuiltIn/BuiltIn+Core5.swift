import KubeAPI

// io.k8s.api.core.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func core5(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.core.v1.NodeAffinity",
        [
          F("requiredDuringSchedulingIgnoredDuringExecution", .core("NodeSelector")),
          F("preferredDuringSchedulingIgnoredDuringExecution", .list(.core("PreferredSchedulingTerm"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodAffinity",
        [
          F("requiredDuringSchedulingIgnoredDuringExecution", .list(.core("PodAffinityTerm"), .atomic)),
          F("preferredDuringSchedulingIgnoredDuringExecution", .list(.core("WeightedPodAffinityTerm"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodAntiAffinity",
        [
          F("requiredDuringSchedulingIgnoredDuringExecution", .list(.core("PodAffinityTerm"), .atomic)),
          F("preferredDuringSchedulingIgnoredDuringExecution", .list(.core("WeightedPodAffinityTerm"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodDNSConfigOption",
        [
          F("name", .str),
          F("value", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceClaim",
        [
          F("name", .str, req: true),
          F("request", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerState",
        [
          F("waiting", .core("ContainerStateWaiting")),
          F("running", .core("ContainerStateRunning")),
          F("terminated", .core("ContainerStateTerminated")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeMountStatus",
        [
          F("name", .str, req: true),
          F("mountPath", .str, req: true),
          F("readOnly", .bool),
          F("recursiveReadOnly", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerUser",
        [
          F("linux", .core("LinuxContainerUser"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceStatus",
        [
          F("name", .str, req: true),
          F("resources", .list(.core("ResourceHealth"), .map("resourceID"))),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ClientIPConfig",
        [
          F("timeoutSeconds", .i32)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LoadBalancerIngress",
        [
          F("ip", .str),
          F("hostname", .str),
          F("ipMode", .str),
          F("ports", .list(.core("PortStatus"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapNodeConfigSource",
        [
          F("namespace", .str, req: true),
          F("name", .str, req: true),
          F("uid", .str),
          F("resourceVersion", .str),
          F("kubeletConfigKey", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.DaemonEndpoint",
        [
          F("Port", .i32, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeRuntimeHandlerFeatures",
        [
          F("recursiveReadOnlyMounts", .bool),
          F("userNamespaces", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretReference", atomic: true,
        [
          F("name", .str),
          F("namespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeSelector", atomic: true,
        [
          F("nodeSelectorTerms", .list(.core("NodeSelectorTerm"), .atomic), req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ScopedResourceSelectorRequirement",
        [
          F(
            "scopeName", .str, req: true,
            enums: [
              "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
              "Terminating",
            ]),
          F("operator", .str, req: true, enums: ["DoesNotExist", "Exists", "In", "NotIn"]),
          F("values", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.KeyToPath",
        [
          F("key", .str, req: true),
          F("path", .str, req: true),
          F("mode", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.DownwardAPIVolumeFile",
        [
          F("path", .str, req: true),
          F("fieldRef", .core("ObjectFieldSelector")),
          F("resourceFieldRef", .core("ResourceFieldSelector")),
          F("mode", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeProjection",
        [
          F("secret", .core("SecretProjection")),
          F("downwardAPI", .core("DownwardAPIProjection")),
          F("configMap", .core("ConfigMapProjection")),
          F("serviceAccountToken", .core("ServiceAccountTokenProjection")),
          F("clusterTrustBundle", .core("ClusterTrustBundleProjection")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimTemplate",
        [
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("PersistentVolumeClaimSpec"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapEnvSource",
        [
          F("name", .str, def: .string("")),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretEnvSource",
        [
          F("name", .str, def: .string("")),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EnvVarSource",
        [
          F("fieldRef", .core("ObjectFieldSelector")),
          F("resourceFieldRef", .core("ResourceFieldSelector")),
          F("configMapKeyRef", .core("ConfigMapKeySelector")),
          F("secretKeyRef", .core("SecretKeySelector")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ExecAction",
        [
          F("command", .list(.str, .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.HTTPGetAction",
        [
          F("path", .str),
          F("port", .intOrString, req: true),
          F("host", .str),
          F("scheme", .str, enums: ["HTTP", "HTTPS"]),
          F("httpHeaders", .list(.core("HTTPHeader"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TCPSocketAction",
        [
          F("port", .intOrString, req: true),
          F("host", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.GRPCAction",
        [
          F("port", .i32, req: true),
          F("service", .str, def: .string("")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LifecycleHandler",
        [
          F("exec", .core("ExecAction")),
          F("httpGet", .core("HTTPGetAction")),
          F("tcpSocket", .core("TCPSocketAction")),
          F("sleep", .core("SleepAction")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Capabilities",
        [
          F("add", .list(.str, .atomic)),
          F("drop", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PreferredSchedulingTerm",
        [
          F("weight", .i32, req: true),
          F("preference", .core("NodeSelectorTerm"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodAffinityTerm",
        [
          F("labelSelector", .meta("LabelSelector")),
          F("namespaces", .list(.str, .atomic)),
          F("topologyKey", .str, req: true),
          F("namespaceSelector", .meta("LabelSelector")),
          F("matchLabelKeys", .list(.str, .atomic)),
          F("mismatchLabelKeys", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.WeightedPodAffinityTerm",
        [
          F("weight", .i32, req: true),
          F("podAffinityTerm", .core("PodAffinityTerm"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerStateWaiting",
        [
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerStateRunning",
        [
          F("startedAt", .time)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerStateTerminated",
        [
          F("exitCode", .i32, req: true),
          F("signal", .i32),
          F("reason", .str),
          F("message", .str),
          F("startedAt", .time),
          F("finishedAt", .time),
          F("containerID", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LinuxContainerUser",
        [
          F("uid", .i64, req: true),
          F("gid", .i64, req: true),
          F("supplementalGroups", .list(.i64, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceHealth",
        [
          F("resourceID", .str, req: true),
          F("health", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PortStatus",
        [
          F("port", .i32, req: true),
          F("protocol", .str, req: true, enums: ["SCTP", "TCP", "UDP"]),
          F("error", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeSelectorTerm", atomic: true,
        [
          F("matchExpressions", .list(.core("NodeSelectorRequirement"), .atomic)),
          F("matchFields", .list(.core("NodeSelectorRequirement"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ObjectFieldSelector", atomic: true,
        [
          F("apiVersion", .str),
          F("fieldPath", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceFieldSelector", atomic: true,
        [
          F("containerName", .str),
          F("resource", .str, req: true),
          F("divisor", .quantity),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretProjection",
        [
          F("name", .str, def: .string("")),
          F("items", .list(.core("KeyToPath"), .atomic)),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.DownwardAPIProjection",
        [
          F("items", .list(.core("DownwardAPIVolumeFile"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapProjection",
        [
          F("name", .str, def: .string("")),
          F("items", .list(.core("KeyToPath"), .atomic)),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceAccountTokenProjection",
        [
          F("audience", .str),
          F("expirationSeconds", .i64),
          F("path", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ClusterTrustBundleProjection",
        [
          F("name", .str),
          F("signerName", .str),
          F("labelSelector", .meta("LabelSelector")),
          F("optional", .bool),
          F("path", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapKeySelector", atomic: true,
        [
          F("name", .str, def: .string("")),
          F("key", .str, req: true),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretKeySelector", atomic: true,
        [
          F("name", .str, def: .string("")),
          F("key", .str, req: true),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.HTTPHeader",
        [
          F("name", .str, req: true),
          F("value", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SleepAction",
        [
          F("seconds", .i64, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        [
          F("key", .str, req: true),
          F("operator", .str, req: true, enums: ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"]),
          F("values", .list(.str, .atomic)),
        ]))
  }
}
