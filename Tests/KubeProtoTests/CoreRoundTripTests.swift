import Testing

/// Round trips for the core/v1 kinds.
@Suite struct CoreRoundTripTests {
  @Test func pod() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Pod", "metadata": \(RoundTrip.metadata("web-0", owner: "StatefulSet")),
       "spec": \(RoundTrip.podSpec),
       "status": {"phase": "Running", "conditions": [
           {"type": "Ready", "status": "True", "lastProbeTime": "2026-11-29T22:40:00Z",
            "lastTransitionTime": "2026-11-29T22:39:00Z"},
           {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-29T22:38:41Z",
            "reason": "Scheduled", "message": "ok"}],
         "hostIP": "10.0.0.2", "hostIPs": [{"ip": "10.0.0.2"}], "podIP": "10.42.0.7",
         "podIPs": [{"ip": "10.42.0.7"}, {"ip": "fd00::7"}], "startTime": "2026-11-29T22:38:42Z",
         "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 0, "reason": "Completed",
             "startedAt": "2026-11-29T22:38:43Z", "finishedAt": "2026-11-29T22:38:44Z",
             "containerID": "containerd://abc"}},
           "lastState": {}, "ready": true, "restartCount": 0, "image": "busybox:1.36", "imageID": "sha256:1",
           "containerID": "containerd://abc", "started": false}],
         "containerStatuses": [{"name": "app", "state": {"running": {"startedAt": "2026-11-29T22:38:45Z"}},
           "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "OOMKilled",
             "startedAt": "2026-11-29T22:30:00Z", "finishedAt": "2026-11-29T22:38:40Z"}},
           "ready": true, "restartCount": 2, "image": "nginx:1.27", "imageID": "sha256:2", "started": true,
           "allocatedResources": {"cpu": "100m"}, "resources": {"requests": {"cpu": "100m"}},
           "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": true}],
           "user": {"linux": {"uid": 1000, "gid": 0, "supplementalGroups": [0, 3000]}}},
           {"name": "side", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
            "lastState": {}, "ready": false, "restartCount": 7, "image": "x", "imageID": ""}],
         "qosClass": "Burstable"}}
      """)
  }

  @Test func podWithEphemeralContainer() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dbg", "namespace": "default"},
       "spec": {"containers": [{"name": "a", "image": "a", "resources": {}}],
         "ephemeralContainers": [{"name": "debugger", "image": "busybox", "stdin": true, "tty": true,
           "targetContainerName": "a", "resources": {}, "terminationMessagePolicy": "File"}]},
       "status": {}}
      """)
  }

  @Test func service() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Service", "metadata": \(RoundTrip.metadata("web")),
       "spec": {"ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080},
                          {"name": "https", "protocol": "TCP", "appProtocol": "https", "port": 443,
                           "targetPort": "https", "nodePort": 30443}],
         "selector": {"app": "web"}, "clusterIP": "10.43.0.15", "clusterIPs": ["10.43.0.15", "fd00:43::15"],
         "type": "LoadBalancer", "externalIPs": ["192.0.2.10"], "sessionAffinity": "ClientIP",
         "loadBalancerSourceRanges": ["0.0.0.0/0"], "externalTrafficPolicy": "Local", "healthCheckNodePort": 31000,
         "publishNotReadyAddresses": true, "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
         "ipFamilies": ["IPv4", "IPv6"], "ipFamilyPolicy": "PreferDualStack", "allocateLoadBalancerNodePorts": true,
         "internalTrafficPolicy": "Cluster", "trafficDistribution": "PreferClose"},
       "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10", "ipMode": "VIP",
         "ports": [{"port": 443, "protocol": "TCP"}]}]},
         "conditions": [{"type": "Ready", "status": "True", "observedGeneration": 3,
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "Ok", "message": ""}]}}
      """)
  }

  @Test func endpoints() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web", "namespace": "default"},
       "subsets": [{"addresses": [{"ip": "10.42.0.7", "hostname": "web-0", "nodeName": "edge-1",
           "targetRef": {"kind": "Pod", "namespace": "default", "name": "web-0", "uid": "u1"}}],
         "notReadyAddresses": [{"ip": "10.42.0.8"}],
         "ports": [{"name": "http", "port": 8080, "protocol": "TCP", "appProtocol": "http"}]}]}
      """)
  }

  @Test func configMapAndSecret() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": \(RoundTrip.metadata("settings")),
       "data": {"mode": "fast", "empty": "", "multi": "a\\nb\\n"}, "binaryData": {"blob": "AAECA/8="},
       "immutable": false}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "default"},
       "data": {"pw": "AAEC//79", "one": "QQ==", "two": "QUI=", "empty": ""},
       "type": "kubernetes.io/basic-auth", "immutable": true}
      """)
  }

  @Test func namespaceAndServiceAccount() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Namespace", "metadata": \(RoundTrip.metadata("team-a", namespace: nil)),
       "spec": {"finalizers": ["kubernetes"]},
       "status": {"phase": "Terminating", "conditions": [{"type": "NamespaceDeletionContentFailure",
         "status": "False", "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "ContentDeleted",
         "message": "All content successfully deleted"}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "default"},
       "secrets": [{"name": "robot-token"}], "imagePullSecrets": [{"name": "registry"}],
       "automountServiceAccountToken": false}
      """)
  }

  @Test func node() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Node", "metadata": \(RoundTrip.metadata("edge-1", namespace: nil)),
       "spec": {"podCIDR": "10.42.1.0/24", "podCIDRs": ["10.42.1.0/24"], "providerID": "skiff://edge-1",
         "unschedulable": true, "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
           "timeAdded": "2026-11-29T22:38:41Z"}]},
       "status": {"capacity": {"cpu": "4", "memory": "8048036Ki", "pods": "110"},
         "allocatable": {"cpu": "3800m", "memory": "7.5Gi", "pods": "110"},
         "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-29T22:40:00Z",
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "KubeletReady", "message": "ready"}],
         "addresses": [{"type": "InternalIP", "address": "10.0.0.2"}, {"type": "Hostname", "address": "edge-1"}],
         "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
         "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "6.1.0",
           "osImage": "Debian GNU/Linux 12", "containerRuntimeVersion": "skiff://0.1", "kubeletVersion": "v1.32.0",
           "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"},
         "images": [{"names": ["docker.io/library/nginx@sha256:1", "nginx:1.27"], "sizeBytes": 72000000}],
         "volumesInUse": ["kubernetes.io/csi/x"], "volumesAttached": [{"name": "kubernetes.io/csi/x",
           "devicePath": "/dev/sdb"}],
         "runtimeHandlers": [{"name": "runc", "features": {"recursiveReadOnlyMounts": true, "userNamespaces": false}}],
         "features": {"supplementalGroupsPolicy": true}}}
      """)
  }

  @Test func coreEvent() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web-0.1", "namespace": "default"},
       "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-0", "uid": "u1", "apiVersion": "v1",
         "resourceVersion": "12", "fieldPath": "spec.containers{app}"},
       "reason": "Pulled", "message": "Successfully pulled image", "source": {"component": "kubelet", "host": "edge-1"},
       "firstTimestamp": "2026-11-29T22:38:41Z", "lastTimestamp": "2026-11-29T22:39:41Z", "count": 2,
       "type": "Normal", "eventTime": "2026-11-29T22:38:41.123456Z",
       "series": {"count": 3, "lastObservedTime": "2026-11-29T22:39:41.000001Z"},
       "action": "Pulling", "related": {"kind": "Node", "name": "edge-1"},
       "reportingComponent": "kubelet", "reportingInstance": "edge-1"}
      """)
  }

  @Test func persistentVolumes() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-1"},
       "spec": {"capacity": {"storage": "10Gi"}, "hostPath": {"path": "/var/lib/skiff/storage/pv-1",
         "type": "DirectoryOrCreate"}, "accessModes": ["ReadWriteOnce"],
         "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data", "uid": "c1"},
         "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "local-path", "volumeMode": "Filesystem",
         "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
           {"key": "kubernetes.io/hostname", "operator": "In", "values": ["edge-1"]}]}]}}},
       "status": {"phase": "Bound", "lastPhaseTransitionTime": "2026-11-29T22:38:41Z"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-2"},
       "spec": {"capacity": {"storage": "1Ti"}, "csi": {"driver": "example.csi", "volumeHandle": "vol-1",
         "fsType": "ext4", "volumeAttributes": {"a": "b"}, "nodePublishSecretRef": {"name": "s", "namespace": "n"}},
         "accessModes": ["ReadWriteMany"], "mountOptions": ["noatime"]}, "status": {"phase": "Available"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
       "spec": {"accessModes": ["ReadWriteOnce"], "selector": {"matchLabels": {"disk": "ssd"}},
         "resources": {"limits": {"storage": "20Gi"}, "requests": {"storage": "10Gi"}},
         "volumeName": "pv-1", "storageClassName": "", "volumeMode": "Block",
         "dataSource": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"}},
       "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"},
         "allocatedResources": {"storage": "10Gi"}}}
      """)
  }

  @Test func limitRangeQuotaTemplateController() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits", "namespace": "default"},
       "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "min": {"cpu": "10m"},
         "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}, "maxLimitRequestRatio": {"cpu": "10"}}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "default"},
       "spec": {"hard": {"pods": "10", "requests.cpu": "4"}, "scopes": ["NotTerminating"],
         "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In",
           "values": ["high"]}]}},
       "status": {"hard": {"pods": "10"}, "used": {"pods": "3"}}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t", "namespace": "default"},
       "template": {"metadata": {"labels": {"app": "t"}}, "spec": \(RoundTrip.podSpec)}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc", "namespace": "default"},
       "spec": {"replicas": 0, "minReadySeconds": 5, "selector": {"app": "rc"},
         "template": {"metadata": {"labels": {"app": "rc"}}, "spec": {"containers": [{"name": "c", "image": "i",
           "resources": {}}]}}},
       "status": {"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 1, "availableReplicas": 1,
         "observedGeneration": 3, "conditions": [{"type": "ReplicaFailure", "status": "True",
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "FailedCreate", "message": "quota"}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "web-0", "namespace": "default"},
       "target": {"kind": "Node", "name": "edge-1", "apiVersion": "v1"}}
      """)
  }
}
