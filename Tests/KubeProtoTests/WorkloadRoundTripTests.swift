import Testing

/// Round trips for apps, batch, networking, discovery, coordination, storage, policy, scheduling,
/// node and autoscaling kinds.
@Suite struct WorkloadRoundTripTests {
  static let template = "{\"metadata\": {\"labels\": {\"app\": \"web\"}}, \"spec\": \(RoundTrip.podSpec)}"

  @Test func deployment() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": \(RoundTrip.metadata("web")),
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": \(Self.template),
         "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
         "minReadySeconds": 10, "revisionHistoryLimit": 0, "paused": true, "progressDeadlineSeconds": 600},
       "status": {"observedGeneration": 4, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 2,
         "availableReplicas": 2, "unavailableReplicas": 1, "collisionCount": 0,
         "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-11-29T22:38:41Z",
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "MinimumReplicasAvailable",
           "message": "Deployment has minimum availability."}]}}
      """)
  }

  @Test func replicaSetDaemonSetStatefulSet() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": \(RoundTrip.metadata("web-7d9", owner: "Deployment")),
       "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7d9"}},
         "template": \(Self.template)},
       "status": {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
         "observedGeneration": 1}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "kube-system"},
       "spec": {"selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["agent"]}]},
         "template": \(Self.template), "updateStrategy": {"type": "RollingUpdate",
           "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}, "revisionHistoryLimit": 10},
       "status": {"currentNumberScheduled": 2, "numberMisscheduled": 0, "desiredNumberScheduled": 2,
         "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 2, "numberAvailable": 2}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
       "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "db"}}, "template": \(Self.template),
         "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
           "resources": {"requests": {"storage": "1Gi"}}}, "status": {}}],
         "serviceName": "db", "podManagementPolicy": "Parallel",
         "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": "50%"}},
         "revisionHistoryLimit": 10, "minReadySeconds": 3,
         "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
         "ordinals": {"start": 1}},
       "status": {"observedGeneration": 2, "replicas": 2, "readyReplicas": 2, "currentReplicas": 2,
         "updatedReplicas": 2, "currentRevision": "db-1", "updateRevision": "db-1", "collisionCount": 0,
         "availableReplicas": 2}}
      """)
  }

  @Test func controllerRevisionKeepsEmbeddedJSON() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-1", "namespace": "default"},
       "data": {"spec": {"template": {"$patch": "replace", "spec": {"containers": [{"name": "c", "image": "i",
         "ports": [{"containerPort": 80}]}]}}}, "n": -1.5, "big": 4294967296123, "t": true, "z": null,
         "s": "tab\\t \\u0001 \\u2028"},
       "revision": 1}
      """)
  }

  @Test func jobAndCronJob() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "default"},
       "spec": {"parallelism": 2, "completions": 4, "activeDeadlineSeconds": 100, "backoffLimit": 6,
         "backoffLimitPerIndex": 1, "maxFailedIndexes": 2, "selector": {"matchLabels": {"job-name": "once"}},
         "manualSelector": false, "template": \(Self.template), "ttlSecondsAfterFinished": 0,
         "completionMode": "Indexed", "suspend": false, "podReplacementPolicy": "Failed",
         "podFailurePolicy": {"rules": [{"action": "FailJob", "onExitCodes": {"containerName": "app",
           "operator": "In", "values": [1, 42]}}, {"action": "Ignore", "onPodConditions": [
           {"type": "DisruptionTarget", "status": "True"}]}]},
         "successPolicy": {"rules": [{"succeededIndexes": "0-2", "succeededCount": 1}]},
         "managedBy": "kubernetes.io/job-controller"},
       "status": {"conditions": [{"type": "Complete", "status": "True", "lastProbeTime": "2026-11-29T22:38:41Z",
           "lastTransitionTime": "2026-11-29T22:38:41Z"}],
         "startTime": "2026-11-29T22:30:00Z", "completionTime": "2026-11-29T22:38:41Z", "active": 1,
         "succeeded": 3, "failed": 1, "terminating": 0, "completedIndexes": "0-2", "failedIndexes": "3",
         "uncountedTerminatedPods": {"succeeded": ["u1"]}, "ready": 1}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick", "namespace": "default"},
       "spec": {"schedule": "*/5 * * * *", "timeZone": "Etc/UTC", "startingDeadlineSeconds": 30,
         "concurrencyPolicy": "Forbid", "suspend": true,
         "jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": \(Self.template)}},
         "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
       "status": {"active": [{"kind": "Job", "name": "tick-1", "namespace": "default", "uid": "j1"}],
         "lastScheduleTime": "2026-11-29T22:35:00Z", "lastSuccessfulTime": "2026-11-29T22:30:00Z"}}
      """)
  }

  @Test func networking() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "site", "namespace": "default",
         "annotations": {"a": "b"}},
       "spec": {"ingressClassName": "skiff", "defaultBackend": {"resource": {"apiGroup": "k8s.example.com",
           "kind": "Bucket", "name": "static"}},
         "tls": [{"hosts": ["foo.com"], "secretName": "site-cert"}],
         "rules": [{"host": "foo.com", "http": {"paths": [{"path": "/bar", "pathType": "Prefix",
           "backend": {"service": {"name": "web", "port": {"number": 8080}}}},
           {"path": "/api", "pathType": "Exact", "backend": {"service": {"name": "api",
             "port": {"name": "http"}}}}]}}]},
       "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.2", "ports": [{"port": 80, "protocol": "TCP",
         "error": "none"}]}]}}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "skiff",
         "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
       "spec": {"controller": "skiff.io/ingress", "parameters": {"apiGroup": "k8s.example.com", "kind": "Params",
         "name": "p", "scope": "Namespace", "namespace": "default"}}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
       "metadata": {"name": "np", "namespace": "default"},
       "spec": {"podSelector": {"matchLabels": {"app": "db"}},
         "ingress": [{"ports": [{"protocol": "TCP", "port": 5432}, {"port": "metrics", "endPort": 9200}],
           "from": [{"podSelector": {"matchLabels": {"app": "web"}}, "namespaceSelector": {}},
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}],
         "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"name": "dns"}}}], "ports": [{"port": 53,
           "protocol": "UDP"}]}],
         "policyTypes": ["Ingress", "Egress"]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web-abc",
         "namespace": "default", "labels": {"kubernetes.io/service-name": "web"}},
       "addressType": "IPv4",
       "endpoints": [{"addresses": ["10.42.0.7"], "conditions": {"ready": true, "serving": true,
           "terminating": false}, "hostname": "web-0", "targetRef": {"kind": "Pod", "name": "web-0",
           "namespace": "default", "uid": "u1"}, "nodeName": "edge-1", "zone": "a",
           "hints": {"forZones": [{"name": "a"}]}, "deprecatedTopology": {"k": "v"}}],
       "ports": [{"name": "http", "protocol": "TCP", "port": 8080, "appProtocol": "http"}, {"name": "", "port": 53}]}
      """)
  }

  @Test func coordinationAndStorage() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "edge-1",
         "namespace": "kube-node-lease"},
       "spec": {"holderIdentity": "edge-1", "leaseDurationSeconds": 40,
         "acquireTime": "2026-11-29T22:38:41.000000Z", "renewTime": "2026-11-29T22:40:01.654321Z",
         "leaseTransitions": 0, "strategy": "OldestEmulationVersion", "preferredHolder": "edge-2"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local-path"},
       "provisioner": "rancher.io/local-path", "parameters": {"path": "/var/lib/skiff/storage"},
       "reclaimPolicy": "Delete", "mountOptions": ["noatime"], "allowVolumeExpansion": false,
       "volumeBindingMode": "WaitForFirstConsumer", "allowedTopologies": [{"matchLabelExpressions": [
         {"key": "zone", "values": ["a"]}]}]}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "storage.k8s.io/v1", "kind": "CSIDriver", "metadata": {"name": "example.csi"},
       "spec": {"attachRequired": false, "podInfoOnMount": true, "volumeLifecycleModes": ["Persistent",
         "Ephemeral"], "storageCapacity": true, "fsGroupPolicy": "File", "tokenRequests": [{"audience": "a",
         "expirationSeconds": 600}], "requiresRepublish": false, "seLinuxMount": true}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": {"name": "edge-1"},
       "spec": {"drivers": [{"name": "example.csi", "nodeID": "edge-1", "topologyKeys": ["zone"],
         "allocatable": {"count": 16}}]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": "va"},
       "spec": {"attacher": "example.csi", "source": {"persistentVolumeName": "pv-2"}, "nodeName": "edge-1"},
       "status": {"attached": true, "attachmentMetadata": {"dev": "/dev/sdb"},
         "detachError": {"time": "2026-11-29T22:38:41Z", "message": "busy"}}}
      """)
  }

  @Test func policySchedulingNode() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}},
         "unhealthyPodEvictionPolicy": "AlwaysAllow"},
       "status": {"observedGeneration": 1, "disruptedPods": {"web-1": "2026-11-29T22:38:41Z"},
         "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "web-0", "namespace": "default"},
       "deleteOptions": {"gracePeriodSeconds": 0, "preconditions": {"uid": "u1", "resourceVersion": "5"},
         "propagationPolicy": "Foreground", "dryRun": ["All"]}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
       "value": -5, "globalDefault": true, "description": "important", "preemptionPolicy": "Never"}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "metadata": {"name": "gvisor"}, "handler": "runsc",
       "overhead": {"podFixed": {"memory": "120Mi"}},
       "scheduling": {"nodeSelector": {"sandbox": "true"}, "tolerations": [{"key": "sandbox",
         "operator": "Exists"}]}}
      """)
  }

  @Test func autoscaling() throws {
    try RoundTrip.check(
      """
      {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"replicas": 2}, "status": {"replicas": 3, "selector": "app=web"}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web",
         "namespace": "default"},
       "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
         "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 80},
       "status": {"observedGeneration": 1, "lastScaleTime": "2026-11-29T22:38:41Z", "currentReplicas": 2,
         "desiredReplicas": 3, "currentCPUUtilizationPercentage": 91}}
      """)
    try RoundTrip.check(
      """
      {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web",
         "namespace": "default"},
       "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
         "minReplicas": 1, "maxReplicas": 10,
         "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
             "averageUtilization": 80}}},
           {"type": "Pods", "pods": {"metric": {"name": "rps", "selector": {"matchLabels": {"a": "b"}}},
             "target": {"type": "AverageValue", "averageValue": "1k"}}},
           {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value",
             "value": "30"}}}],
         "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
           "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}]},
           "scaleDown": {"policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}},
       "status": {"observedGeneration": 2, "currentReplicas": 2, "desiredReplicas": 3,
         "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "250m",
           "averageUtilization": 91}}}],
         "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2026-11-29T22:38:41Z",
           "reason": "SucceededRescale", "message": "ok"}]}}
      """)
  }
}
