import KubeAPI

// io.k8s.api.core.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func core2(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceSpec",
        [
          F("ports", .list(.core("ServicePort"), .map("port", "protocol")), patch: .merge, key: "port"),
          F("selector", .dict(.str, .atomic)),
          F("clusterIP", .str),
          F("clusterIPs", .list(.str, .atomic)),
          F("type", .str, enums: ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]),
          F("externalIPs", .list(.str, .atomic)),
          F("sessionAffinity", .str, enums: ["ClientIP", "None"]),
          F("loadBalancerIP", .str),
          F("loadBalancerSourceRanges", .list(.str, .atomic)),
          F("externalName", .str),
          F("externalTrafficPolicy", .str, enums: ["Cluster", "Local"]),
          F("healthCheckNodePort", .i32),
          F("publishNotReadyAddresses", .bool),
          F("sessionAffinityConfig", .core("SessionAffinityConfig")),
          F("ipFamilies", .list(.str, .atomic), enums: ["", "IPv4", "IPv6"]),
          F("ipFamilyPolicy", .str, enums: ["PreferDualStack", "RequireDualStack", "SingleStack"]),
          F("allocateLoadBalancerNodePorts", .bool),
          F("loadBalancerClass", .str),
          F("internalTrafficPolicy", .str, enums: ["Cluster", "Local"]),
          F("trafficDistribution", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServiceStatus",
        [
          F("loadBalancer", .core("LoadBalancerStatus")),
          F("conditions", .list(.meta("Condition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EndpointSubset",
        [
          F("addresses", .list(.core("EndpointAddress"), .atomic)),
          F("notReadyAddresses", .list(.core("EndpointAddress"), .atomic)),
          F("ports", .list(.core("EndpointPort"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ObjectReference", atomic: true,
        [
          F("kind", .str),
          F("namespace", .str),
          F("name", .str),
          F("uid", .str),
          F("apiVersion", .str),
          F("resourceVersion", .str),
          F("fieldPath", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LocalObjectReference", atomic: true,
        [
          F("name", .str, def: .string(""))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeSpec",
        [
          F("podCIDR", .str),
          F("podCIDRs", .list(.str, .set), patch: .merge),
          F("providerID", .str),
          F("unschedulable", .bool),
          F("taints", .list(.core("Taint"), .atomic)),
          F("configSource", .core("NodeConfigSource")),
          F("externalID", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeStatus",
        [
          F("capacity", .dict(.quantity)),
          F("allocatable", .dict(.quantity)),
          F("phase", .str, enums: ["Pending", "Running", "Terminated"]),
          F("conditions", .list(.core("NodeCondition"), .map("type")), patch: .merge, key: "type"),
          F("addresses", .list(.core("NodeAddress"), .map("type")), patch: .merge, key: "type"),
          F("daemonEndpoints", .core("NodeDaemonEndpoints")),
          F("nodeInfo", .core("NodeSystemInfo")),
          F("images", .list(.core("ContainerImage"), .atomic)),
          F("volumesInUse", .list(.str, .atomic)),
          F("volumesAttached", .list(.core("AttachedVolume"), .atomic)),
          F("config", .core("NodeConfigStatus")),
          F("runtimeHandlers", .list(.core("NodeRuntimeHandler"), .atomic)),
          F("features", .core("NodeFeatures")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EventSource",
        [
          F("component", .str),
          F("host", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EventSeries",
        [
          F("count", .i32),
          F("lastObservedTime", .microTime),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        [
          F("capacity", .dict(.quantity)),
          F("gcePersistentDisk", .core("GCEPersistentDiskVolumeSource")),
          F("awsElasticBlockStore", .core("AWSElasticBlockStoreVolumeSource")),
          F("hostPath", .core("HostPathVolumeSource")),
          F("glusterfs", .core("GlusterfsPersistentVolumeSource")),
          F("nfs", .core("NFSVolumeSource")),
          F("rbd", .core("RBDPersistentVolumeSource")),
          F("iscsi", .core("ISCSIPersistentVolumeSource")),
          F("cinder", .core("CinderPersistentVolumeSource")),
          F("cephfs", .core("CephFSPersistentVolumeSource")),
          F("fc", .core("FCVolumeSource")),
          F("flocker", .core("FlockerVolumeSource")),
          F("flexVolume", .core("FlexPersistentVolumeSource")),
          F("azureFile", .core("AzureFilePersistentVolumeSource")),
          F("vsphereVolume", .core("VsphereVirtualDiskVolumeSource")),
          F("quobyte", .core("QuobyteVolumeSource")),
          F("azureDisk", .core("AzureDiskVolumeSource")),
          F("photonPersistentDisk", .core("PhotonPersistentDiskVolumeSource")),
          F("portworxVolume", .core("PortworxVolumeSource")),
          F("scaleIO", .core("ScaleIOPersistentVolumeSource")),
          F("local", .core("LocalVolumeSource")),
          F("storageos", .core("StorageOSPersistentVolumeSource")),
          F("csi", .core("CSIPersistentVolumeSource")),
          F(
            "accessModes", .list(.str, .atomic),
            enums: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]),
          F("claimRef", .core("ObjectReference")),
          F("persistentVolumeReclaimPolicy", .str, enums: ["Delete", "Recycle", "Retain"]),
          F("storageClassName", .str),
          F("mountOptions", .list(.str, .atomic)),
          F("volumeMode", .str, enums: ["Block", "Filesystem"]),
          F("nodeAffinity", .core("VolumeNodeAffinity")),
          F("volumeAttributesClassName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeStatus",
        [
          F("phase", .str, enums: ["Available", "Bound", "Failed", "Pending", "Released"]),
          F("message", .str),
          F("reason", .str),
          F("lastPhaseTransitionTime", .time),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        [
          F(
            "accessModes", .list(.str, .atomic),
            enums: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]),
          F("selector", .meta("LabelSelector")),
          F("resources", .core("VolumeResourceRequirements")),
          F("volumeName", .str),
          F("storageClassName", .str),
          F("volumeMode", .str, enums: ["Block", "Filesystem"]),
          F("dataSource", .core("TypedLocalObjectReference")),
          F("dataSourceRef", .core("TypedObjectReference")),
          F("volumeAttributesClassName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PersistentVolumeClaimStatus",
        [
          F("phase", .str, enums: ["Bound", "Lost", "Pending"]),
          F(
            "accessModes", .list(.str, .atomic),
            enums: ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]),
          F("capacity", .dict(.quantity)),
          F("conditions", .list(.core("PersistentVolumeClaimCondition"), .map("type")), patch: .merge, key: "type"),
          F("allocatedResources", .dict(.quantity)),
          F("allocatedResourceStatuses", .dict(.str)),
          F("currentVolumeAttributesClassName", .str),
          F("modifyVolumeStatus", .core("ModifyVolumeStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LimitRangeSpec",
        [
          F("limits", .list(.core("LimitRangeItem"), .atomic), req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceQuotaSpec",
        [
          F("hard", .dict(.quantity)),
          F(
            "scopes", .list(.str, .atomic),
            enums: [
              "BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass",
              "Terminating",
            ]),
          F("scopeSelector", .core("ScopeSelector")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceQuotaStatus",
        [
          F("hard", .dict(.quantity)),
          F("used", .dict(.quantity)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodTemplateSpec",
        [
          F("metadata", .meta("ObjectMeta")),
          F("spec", .core("PodSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ReplicationControllerSpec",
        [
          F("replicas", .i32),
          F("minReadySeconds", .i32),
          F("selector", .dict(.str, .atomic)),
          F("template", .core("PodTemplateSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ReplicationControllerStatus",
        [
          F("replicas", .i32, req: true),
          F("fullyLabeledReplicas", .i32),
          F("readyReplicas", .i32),
          F("availableReplicas", .i32),
          F("observedGeneration", .i64),
          F("conditions", .list(.core("ReplicationControllerCondition"), .map("type")), patch: .merge, key: "type"),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ComponentCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("message", .str),
          F("error", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TopologySelectorTerm", atomic: true,
        [
          F("matchLabelExpressions", .list(.core("TopologySelectorLabelRequirement"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NamespaceCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Volume",
        [
          F("name", .str, req: true),
          F("hostPath", .core("HostPathVolumeSource")),
          F("emptyDir", .core("EmptyDirVolumeSource")),
          F("gcePersistentDisk", .core("GCEPersistentDiskVolumeSource")),
          F("awsElasticBlockStore", .core("AWSElasticBlockStoreVolumeSource")),
          F("gitRepo", .core("GitRepoVolumeSource")),
          F("secret", .core("SecretVolumeSource")),
          F("nfs", .core("NFSVolumeSource")),
          F("iscsi", .core("ISCSIVolumeSource")),
          F("glusterfs", .core("GlusterfsVolumeSource")),
          F("persistentVolumeClaim", .core("PersistentVolumeClaimVolumeSource")),
          F("rbd", .core("RBDVolumeSource")),
          F("flexVolume", .core("FlexVolumeSource")),
          F("cinder", .core("CinderVolumeSource")),
          F("cephfs", .core("CephFSVolumeSource")),
          F("flocker", .core("FlockerVolumeSource")),
          F("downwardAPI", .core("DownwardAPIVolumeSource")),
          F("fc", .core("FCVolumeSource")),
          F("azureFile", .core("AzureFileVolumeSource")),
          F("configMap", .core("ConfigMapVolumeSource")),
          F("vsphereVolume", .core("VsphereVirtualDiskVolumeSource")),
          F("quobyte", .core("QuobyteVolumeSource")),
          F("azureDisk", .core("AzureDiskVolumeSource")),
          F("photonPersistentDisk", .core("PhotonPersistentDiskVolumeSource")),
          F("projected", .core("ProjectedVolumeSource")),
          F("portworxVolume", .core("PortworxVolumeSource")),
          F("scaleIO", .core("ScaleIOVolumeSource")),
          F("storageos", .core("StorageOSVolumeSource")),
          F("csi", .core("CSIVolumeSource")),
          F("ephemeral", .core("EphemeralVolumeSource")),
          F("image", .core("ImageVolumeSource")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Container",
        [
          F("name", .str, req: true),
          F("image", .str),
          F("command", .list(.str, .atomic)),
          F("args", .list(.str, .atomic)),
          F("workingDir", .str),
          F(
            "ports", .list(.core("ContainerPort"), .map("containerPort", "protocol")), patch: .merge,
            key: "containerPort"),
          F("envFrom", .list(.core("EnvFromSource"), .atomic)),
          F("env", .list(.core("EnvVar"), .map("name")), patch: .merge, key: "name"),
          F("resources", .core("ResourceRequirements")),
          F("resizePolicy", .list(.core("ContainerResizePolicy"), .atomic)),
          F("restartPolicy", .str),
          F("volumeMounts", .list(.core("VolumeMount"), .map("mountPath")), patch: .merge, key: "mountPath"),
          F("volumeDevices", .list(.core("VolumeDevice"), .map("devicePath")), patch: .merge, key: "devicePath"),
          F("livenessProbe", .core("Probe")),
          F("readinessProbe", .core("Probe")),
          F("startupProbe", .core("Probe")),
          F("lifecycle", .core("Lifecycle")),
          F("terminationMessagePath", .str),
          F("terminationMessagePolicy", .str, enums: ["FallbackToLogsOnError", "File"]),
          F("imagePullPolicy", .str, enums: ["Always", "IfNotPresent", "Never"]),
          F("securityContext", .core("SecurityContext")),
          F("stdin", .bool),
          F("stdinOnce", .bool),
          F("tty", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EphemeralContainer",
        [
          F("name", .str, req: true),
          F("image", .str),
          F("command", .list(.str, .atomic)),
          F("args", .list(.str, .atomic)),
          F("workingDir", .str),
          F(
            "ports", .list(.core("ContainerPort"), .map("containerPort", "protocol")), patch: .merge,
            key: "containerPort"),
          F("envFrom", .list(.core("EnvFromSource"), .atomic)),
          F("env", .list(.core("EnvVar"), .map("name")), patch: .merge, key: "name"),
          F("resources", .core("ResourceRequirements")),
          F("resizePolicy", .list(.core("ContainerResizePolicy"), .atomic)),
          F("restartPolicy", .str),
          F("volumeMounts", .list(.core("VolumeMount"), .map("mountPath")), patch: .merge, key: "mountPath"),
          F("volumeDevices", .list(.core("VolumeDevice"), .map("devicePath")), patch: .merge, key: "devicePath"),
          F("livenessProbe", .core("Probe")),
          F("readinessProbe", .core("Probe")),
          F("startupProbe", .core("Probe")),
          F("lifecycle", .core("Lifecycle")),
          F("terminationMessagePath", .str),
          F("terminationMessagePolicy", .str, enums: ["FallbackToLogsOnError", "File"]),
          F("imagePullPolicy", .str, enums: ["Always", "IfNotPresent", "Never"]),
          F("securityContext", .core("SecurityContext")),
          F("stdin", .bool),
          F("stdinOnce", .bool),
          F("tty", .bool),
          F("targetContainerName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodSecurityContext",
        [
          F("seLinuxOptions", .core("SELinuxOptions")),
          F("windowsOptions", .core("WindowsSecurityContextOptions")),
          F("runAsUser", .i64),
          F("runAsGroup", .i64),
          F("runAsNonRoot", .bool),
          F("supplementalGroups", .list(.i64, .atomic)),
          F("supplementalGroupsPolicy", .str, enums: ["Merge", "Strict"]),
          F("fsGroup", .i64),
          F("sysctls", .list(.core("Sysctl"), .atomic)),
          F("fsGroupChangePolicy", .str, enums: ["Always", "OnRootMismatch"]),
          F("seccompProfile", .core("SeccompProfile")),
          F("appArmorProfile", .core("AppArmorProfile")),
          F("seLinuxChangePolicy", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Affinity",
        [
          F("nodeAffinity", .core("NodeAffinity")),
          F("podAffinity", .core("PodAffinity")),
          F("podAntiAffinity", .core("PodAntiAffinity")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Toleration",
        [
          F("key", .str),
          F("operator", .str, enums: ["Equal", "Exists"]),
          F("value", .str),
          F("effect", .str, enums: ["NoExecute", "NoSchedule", "PreferNoSchedule"]),
          F("tolerationSeconds", .i64),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.HostAlias",
        [
          F("ip", .str, req: true),
          F("hostnames", .list(.str, .atomic)),
        ]))
  }
}
