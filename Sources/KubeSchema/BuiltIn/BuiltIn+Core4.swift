import KubeAPI

// io.k8s.api.core.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func core4(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.core.v1.LocalVolumeSource",
        [
          F("path", .str, req: true),
          F("fsType", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.StorageOSPersistentVolumeSource",
        [
          F("volumeName", .str),
          F("volumeNamespace", .str),
          F("fsType", .str),
          F("readOnly", .bool),
          F("secretRef", .core("ObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CSIPersistentVolumeSource",
        [
          F("driver", .str, req: true),
          F("volumeHandle", .str, req: true),
          F("readOnly", .bool),
          F("fsType", .str),
          F("volumeAttributes", .dict(.str)),
          F("controllerPublishSecretRef", .core("SecretReference")),
          F("nodeStageSecretRef", .core("SecretReference")),
          F("nodePublishSecretRef", .core("SecretReference")),
          F("controllerExpandSecretRef", .core("SecretReference")),
          F("nodeExpandSecretRef", .core("SecretReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeNodeAffinity",
        [
          F("required", .core("NodeSelector"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeResourceRequirements",
        [
          F("limits", .dict(.quantity)),
          F("requests", .dict(.quantity)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TypedLocalObjectReference", atomic: true,
        [
          F("apiGroup", .str),
          F("kind", .str, req: true),
          F("name", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TypedObjectReference",
        [
          F("apiGroup", .str),
          F("kind", .str, req: true),
          F("name", .str, req: true),
          F("namespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastProbeTime", .time),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ModifyVolumeStatus",
        [
          F("targetVolumeAttributesClassName", .str),
          F("status", .str, req: true, enums: ["InProgress", "Infeasible", "Pending"]),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LimitRangeItem",
        [
          F("type", .str, req: true),
          F("max", .dict(.quantity)),
          F("min", .dict(.quantity)),
          F("default", .dict(.quantity)),
          F("defaultRequest", .dict(.quantity)),
          F("maxLimitRequestRatio", .dict(.quantity)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ScopeSelector", atomic: true,
        [
          F("matchExpressions", .list(.core("ScopedResourceSelectorRequirement"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ReplicationControllerCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TopologySelectorLabelRequirement",
        [
          F("key", .str, req: true),
          F("values", .list(.str, .atomic), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EmptyDirVolumeSource",
        [
          F("medium", .str),
          F("sizeLimit", .quantity),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.GitRepoVolumeSource",
        [
          F("repository", .str, req: true),
          F("revision", .str),
          F("directory", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecretVolumeSource",
        [
          F("secretName", .str),
          F("items", .list(.core("KeyToPath"), .atomic)),
          F("defaultMode", .i32),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ISCSIVolumeSource",
        [
          F("targetPortal", .str, req: true),
          F("iqn", .str, req: true),
          F("lun", .i32, req: true),
          F("iscsiInterface", .str, def: .string("default")),
          F("fsType", .str),
          F("readOnly", .bool),
          F("portals", .list(.str, .atomic)),
          F("chapAuthDiscovery", .bool),
          F("chapAuthSession", .bool),
          F("secretRef", .core("LocalObjectReference")),
          F("initiatorName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.GlusterfsVolumeSource",
        [
          F("endpoints", .str, req: true),
          F("path", .str, req: true),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource",
        [
          F("claimName", .str, req: true),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.RBDVolumeSource",
        [
          F("monitors", .list(.str, .atomic), req: true),
          F("image", .str, req: true),
          F("fsType", .str),
          F("pool", .str, def: .string("rbd")),
          F("user", .str, def: .string("admin")),
          F("keyring", .str, def: .string("/etc/ceph/keyring")),
          F("secretRef", .core("LocalObjectReference")),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.FlexVolumeSource",
        [
          F("driver", .str, req: true),
          F("fsType", .str),
          F("secretRef", .core("LocalObjectReference")),
          F("readOnly", .bool),
          F("options", .dict(.str)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CinderVolumeSource",
        [
          F("volumeID", .str, req: true),
          F("fsType", .str),
          F("readOnly", .bool),
          F("secretRef", .core("LocalObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CephFSVolumeSource",
        [
          F("monitors", .list(.str, .atomic), req: true),
          F("path", .str),
          F("user", .str),
          F("secretFile", .str),
          F("secretRef", .core("LocalObjectReference")),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.DownwardAPIVolumeSource",
        [
          F("items", .list(.core("DownwardAPIVolumeFile"), .atomic)),
          F("defaultMode", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AzureFileVolumeSource",
        [
          F("secretName", .str, req: true),
          F("shareName", .str, req: true),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ConfigMapVolumeSource",
        [
          F("name", .str, def: .string("")),
          F("items", .list(.core("KeyToPath"), .atomic)),
          F("defaultMode", .i32),
          F("optional", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ProjectedVolumeSource",
        [
          F("sources", .list(.core("VolumeProjection"), .atomic)),
          F("defaultMode", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ScaleIOVolumeSource",
        [
          F("gateway", .str, req: true),
          F("system", .str, req: true),
          F("secretRef", .core("LocalObjectReference"), req: true),
          F("sslEnabled", .bool),
          F("protectionDomain", .str),
          F("storagePool", .str),
          F("storageMode", .str, def: .string("ThinProvisioned")),
          F("volumeName", .str),
          F("fsType", .str, def: .string("xfs")),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.StorageOSVolumeSource",
        [
          F("volumeName", .str),
          F("volumeNamespace", .str),
          F("fsType", .str),
          F("readOnly", .bool),
          F("secretRef", .core("LocalObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CSIVolumeSource",
        [
          F("driver", .str, req: true),
          F("readOnly", .bool),
          F("fsType", .str),
          F("volumeAttributes", .dict(.str)),
          F("nodePublishSecretRef", .core("LocalObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EphemeralVolumeSource",
        [
          F("volumeClaimTemplate", .core("PersistentVolumeClaimTemplate"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ImageVolumeSource",
        [
          F("reference", .str),
          F("pullPolicy", .str, enums: ["Always", "IfNotPresent", "Never"]),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerPort",
        [
          F("name", .str),
          F("hostPort", .i32),
          F("containerPort", .i32, req: true),
          F("protocol", .str, enums: ["SCTP", "TCP", "UDP"], def: .string("TCP")),
          F("hostIP", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EnvFromSource",
        [
          F("prefix", .str),
          F("configMapRef", .core("ConfigMapEnvSource")),
          F("secretRef", .core("SecretEnvSource")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EnvVar",
        [
          F("name", .str, req: true),
          F("value", .str),
          F("valueFrom", .core("EnvVarSource")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerResizePolicy",
        [
          F("resourceName", .str, req: true),
          F("restartPolicy", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeMount",
        [
          F("name", .str, req: true),
          F("readOnly", .bool),
          F("recursiveReadOnly", .str),
          F("mountPath", .str, req: true),
          F("subPath", .str),
          F("mountPropagation", .str, enums: ["Bidirectional", "HostToContainer", "None"]),
          F("subPathExpr", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VolumeDevice",
        [
          F("name", .str, req: true),
          F("devicePath", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Probe",
        [
          F("exec", .core("ExecAction")),
          F("httpGet", .core("HTTPGetAction")),
          F("tcpSocket", .core("TCPSocketAction")),
          F("grpc", .core("GRPCAction")),
          F("initialDelaySeconds", .i32),
          F("timeoutSeconds", .i32),
          F("periodSeconds", .i32),
          F("successThreshold", .i32),
          F("failureThreshold", .i32),
          F("terminationGracePeriodSeconds", .i64),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Lifecycle",
        [
          F("postStart", .core("LifecycleHandler")),
          F("preStop", .core("LifecycleHandler")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SecurityContext",
        [
          F("capabilities", .core("Capabilities")),
          F("privileged", .bool),
          F("seLinuxOptions", .core("SELinuxOptions")),
          F("windowsOptions", .core("WindowsSecurityContextOptions")),
          F("runAsUser", .i64),
          F("runAsGroup", .i64),
          F("runAsNonRoot", .bool),
          F("readOnlyRootFilesystem", .bool),
          F("allowPrivilegeEscalation", .bool),
          F("procMount", .str, enums: ["Default", "Unmasked"]),
          F("seccompProfile", .core("SeccompProfile")),
          F("appArmorProfile", .core("AppArmorProfile")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SELinuxOptions",
        [
          F("user", .str),
          F("role", .str),
          F("type", .str),
          F("level", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.WindowsSecurityContextOptions",
        [
          F("gmsaCredentialSpecName", .str),
          F("gmsaCredentialSpec", .str),
          F("runAsUserName", .str),
          F("hostProcess", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Sysctl",
        [
          F("name", .str, req: true),
          F("value", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SeccompProfile",
        [
          F("type", .str, req: true, enums: ["Localhost", "RuntimeDefault", "Unconfined"]),
          F("localhostProfile", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AppArmorProfile",
        [
          F("type", .str, req: true, enums: ["Localhost", "RuntimeDefault", "Unconfined"]),
          F("localhostProfile", .str),
        ]))
  }
}
