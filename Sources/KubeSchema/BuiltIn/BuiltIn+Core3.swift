import KubeAPI

// io.k8s.api.core.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func core3(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.core.v1.PodDNSConfig",
        [
          F("nameservers", .list(.str, .atomic)),
          F("searches", .list(.str, .atomic)),
          F("options", .list(.core("PodDNSConfigOption"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodReadinessGate",
        [
          F("conditionType", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        [
          F("maxSkew", .i32, req: true),
          F("topologyKey", .str, req: true),
          F("whenUnsatisfiable", .str, req: true, enums: ["DoNotSchedule", "ScheduleAnyway"]),
          F("labelSelector", .meta("LabelSelector")),
          F("minDomains", .i32),
          F("nodeAffinityPolicy", .str, enums: ["Honor", "Ignore"]),
          F("nodeTaintsPolicy", .str, enums: ["Honor", "Ignore"]),
          F("matchLabelKeys", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodOS",
        [
          F("name", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodSchedulingGate",
        [
          F("name", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodResourceClaim",
        [
          F("name", .str, req: true),
          F("resourceClaimName", .str),
          F("resourceClaimTemplateName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ResourceRequirements",
        [
          F("limits", .dict(.quantity)),
          F("requests", .dict(.quantity)),
          F("claims", .list(.core("ResourceClaim"), .map("name"))),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodCondition",
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
        "io.k8s.api.core.v1.HostIP",
        [
          F("ip", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodIP",
        [
          F("ip", .str, req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerStatus",
        [
          F("name", .str, req: true),
          F("state", .core("ContainerState")),
          F("lastState", .core("ContainerState")),
          F("ready", .bool, req: true),
          F("restartCount", .i32, req: true),
          F("image", .str, req: true),
          F("imageID", .str, req: true),
          F("containerID", .str),
          F("started", .bool),
          F("allocatedResources", .dict(.quantity)),
          F("resources", .core("ResourceRequirements")),
          F("volumeMounts", .list(.core("VolumeMountStatus"), .map("mountPath")), patch: .merge, key: "mountPath"),
          F("user", .core("ContainerUser")),
          F("allocatedResourcesStatus", .list(.core("ResourceStatus"), .map("name")), patch: .merge, key: "name"),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PodResourceClaimStatus",
        [
          F("name", .str, req: true),
          F("resourceClaimName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ServicePort",
        [
          F("name", .str),
          F("protocol", .str, enums: ["SCTP", "TCP", "UDP"], def: .string("TCP")),
          F("appProtocol", .str),
          F("port", .i32, req: true),
          F("targetPort", .intOrString),
          F("nodePort", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.SessionAffinityConfig",
        [
          F("clientIP", .core("ClientIPConfig"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.LoadBalancerStatus",
        [
          F("ingress", .list(.core("LoadBalancerIngress"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EndpointAddress", atomic: true,
        [
          F("ip", .str, req: true),
          F("hostname", .str),
          F("nodeName", .str),
          F("targetRef", .core("ObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.EndpointPort", atomic: true,
        [
          F("name", .str),
          F("port", .i32, req: true),
          F("protocol", .str, enums: ["SCTP", "TCP", "UDP"]),
          F("appProtocol", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.Taint",
        [
          F("key", .str, req: true),
          F("value", .str),
          F("effect", .str, req: true, enums: ["NoExecute", "NoSchedule", "PreferNoSchedule"]),
          F("timeAdded", .time),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeConfigSource",
        [
          F("configMap", .core("ConfigMapNodeConfigSource"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("lastHeartbeatTime", .time),
          F("lastTransitionTime", .time),
          F("reason", .str),
          F("message", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeAddress",
        [
          F("type", .str, req: true),
          F("address", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeDaemonEndpoints",
        [
          F("kubeletEndpoint", .core("DaemonEndpoint"))
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeSystemInfo",
        [
          F("machineID", .str, req: true),
          F("systemUUID", .str, req: true),
          F("bootID", .str, req: true),
          F("kernelVersion", .str, req: true),
          F("osImage", .str, req: true),
          F("containerRuntimeVersion", .str, req: true),
          F("kubeletVersion", .str, req: true),
          F("kubeProxyVersion", .str, req: true),
          F("operatingSystem", .str, req: true),
          F("architecture", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ContainerImage",
        [
          F("names", .list(.str, .atomic)),
          F("sizeBytes", .i64),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AttachedVolume",
        [
          F("name", .str, req: true),
          F("devicePath", .str, req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeConfigStatus",
        [
          F("assigned", .core("NodeConfigSource")),
          F("active", .core("NodeConfigSource")),
          F("lastKnownGood", .core("NodeConfigSource")),
          F("error", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeRuntimeHandler",
        [
          F("name", .str),
          F("features", .core("NodeRuntimeHandlerFeatures")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NodeFeatures",
        [
          F("supplementalGroupsPolicy", .bool)
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.GCEPersistentDiskVolumeSource",
        [
          F("pdName", .str, req: true),
          F("fsType", .str),
          F("partition", .i32),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource",
        [
          F("volumeID", .str, req: true),
          F("fsType", .str),
          F("partition", .i32),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.HostPathVolumeSource",
        [
          F("path", .str, req: true),
          F(
            "type", .str,
            enums: [
              "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket",
            ]),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.GlusterfsPersistentVolumeSource",
        [
          F("endpoints", .str, req: true),
          F("path", .str, req: true),
          F("readOnly", .bool),
          F("endpointsNamespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.NFSVolumeSource",
        [
          F("server", .str, req: true),
          F("path", .str, req: true),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.RBDPersistentVolumeSource",
        [
          F("monitors", .list(.str, .atomic), req: true),
          F("image", .str, req: true),
          F("fsType", .str),
          F("pool", .str, def: .string("rbd")),
          F("user", .str, def: .string("admin")),
          F("keyring", .str, def: .string("/etc/ceph/keyring")),
          F("secretRef", .core("SecretReference")),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ISCSIPersistentVolumeSource",
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
          F("secretRef", .core("SecretReference")),
          F("initiatorName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CinderPersistentVolumeSource",
        [
          F("volumeID", .str, req: true),
          F("fsType", .str),
          F("readOnly", .bool),
          F("secretRef", .core("SecretReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.CephFSPersistentVolumeSource",
        [
          F("monitors", .list(.str, .atomic), req: true),
          F("path", .str),
          F("user", .str),
          F("secretFile", .str),
          F("secretRef", .core("SecretReference")),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.FCVolumeSource",
        [
          F("targetWWNs", .list(.str, .atomic)),
          F("lun", .i32),
          F("fsType", .str),
          F("readOnly", .bool),
          F("wwids", .list(.str, .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.FlockerVolumeSource",
        [
          F("datasetName", .str),
          F("datasetUUID", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.FlexPersistentVolumeSource",
        [
          F("driver", .str, req: true),
          F("fsType", .str),
          F("secretRef", .core("SecretReference")),
          F("readOnly", .bool),
          F("options", .dict(.str)),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AzureFilePersistentVolumeSource",
        [
          F("secretName", .str, req: true),
          F("shareName", .str, req: true),
          F("readOnly", .bool),
          F("secretNamespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource",
        [
          F("volumePath", .str, req: true),
          F("fsType", .str),
          F("storagePolicyName", .str),
          F("storagePolicyID", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.QuobyteVolumeSource",
        [
          F("registry", .str, req: true),
          F("volume", .str, req: true),
          F("readOnly", .bool),
          F("user", .str),
          F("group", .str),
          F("tenant", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.AzureDiskVolumeSource",
        [
          F("diskName", .str, req: true),
          F("diskURI", .str, req: true),
          F("cachingMode", .str, enums: ["None", "ReadOnly", "ReadWrite"], def: .string("ReadWrite")),
          F("fsType", .str, def: .string("ext4")),
          F("readOnly", .bool, def: .bool(false)),
          F("kind", .str, enums: ["Dedicated", "Managed", "Shared"], def: .string("Shared")),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource",
        [
          F("pdID", .str, req: true),
          F("fsType", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.PortworxVolumeSource",
        [
          F("volumeID", .str, req: true),
          F("fsType", .str),
          F("readOnly", .bool),
        ]))
    r.append(
      T(
        "io.k8s.api.core.v1.ScaleIOPersistentVolumeSource",
        [
          F("gateway", .str, req: true),
          F("system", .str, req: true),
          F("secretRef", .core("SecretReference"), req: true),
          F("sslEnabled", .bool),
          F("protectionDomain", .str),
          F("storagePool", .str),
          F("storageMode", .str, def: .string("ThinProvisioned")),
          F("volumeName", .str),
          F("fsType", .str, def: .string("xfs")),
          F("readOnly", .bool),
        ]))
  }
}
