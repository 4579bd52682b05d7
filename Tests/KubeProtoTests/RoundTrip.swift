import KubeAPI
import KubeProto
import Testing

/// JSON -> protobuf -> JSON must give back the object unchanged. The objects are written the
/// way the API server stores them (Go's JSON: zero omitempty fields absent).
enum RoundTrip {
  static func check(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let object = try TestSupport.parse(json)
    let bytes = try KubeProtobuf.encode(object)
    let decoded = try KubeProtobuf.decode(bytes)
    #expect(decoded.apiVersion == object["apiVersion"]?.stringValue, sourceLocation: sourceLocation)
    #expect(decoded.kind == object["kind"]?.stringValue, sourceLocation: sourceLocation)
    let difference = TestSupport.difference(decoded.object, object)
    #expect(difference == nil, "\(difference ?? "")", sourceLocation: sourceLocation)
  }

  /// Object metadata as a stored object has it: identity, timestamps, labels, owners, managed fields.
  static func metadata(_ name: String, namespace: String? = "default", owner: String? = nil) -> String {
    let namespaceMember = namespace.map { "\"namespace\": \"\($0)\"," } ?? ""
    let owners =
      owner.map {
        """
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "\($0)", "name": "\(name)-owner",
          "uid": "0b7e0a5c-2a61-4d0f-9a39-8e1c7d9b4f10", "controller": true, "blockOwnerDeletion": true}],
        """
      } ?? ""
    return """
      {"name": "\(name)", \(namespaceMember) "uid": "6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b",
       "resourceVersion": "123456", "generation": 4, "creationTimestamp": "2026-11-29T22:38:41Z",
       "labels": {"app": "\(name)", "tier": "web"},
       "annotations": {"note": "line one\\nline two \\"quoted\\" \\u00e9"}, \(owners)
       "finalizers": ["example.com/cleanup"],
       "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
         "time": "2026-11-29T22:38:41Z", "fieldsType": "FieldsV1",
         "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:replicas": {}}}}]}
      """
  }

  /// A pod template covering most of PodSpec: probes, resources, env sources, volumes,
  /// tolerations, affinity, security contexts, init containers.
  static let podSpec = """
    {"initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["sh", "-c", "echo init"],
       "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
       "imagePullPolicy": "IfNotPresent", "restartPolicy": "Always"}],
     "containers": [{"name": "app", "image": "nginx:1.27", "args": ["--port", "8080"], "workingDir": "/srv",
       "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"},
                 {"containerPort": 9090, "hostPort": 19090, "protocol": "UDP", "hostIP": "0.0.0.0"}],
       "envFrom": [{"prefix": "CFG_", "configMapRef": {"name": "settings", "optional": true}},
                   {"secretRef": {"name": "creds"}}],
       "env": [{"name": "PLAIN", "value": "1"},
               {"name": "FROM_CM", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}},
               {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "pw",
                 "optional": false}}},
               {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
               {"name": "MEM", "valueFrom": {"resourceFieldRef": {"containerName": "app", "resource": "limits.memory",
                 "divisor": "1Mi"}}}],
       "resources": {"limits": {"cpu": "500m", "memory": "256Mi", "nvidia.com/gpu": "1"},
                     "requests": {"cpu": "100m", "memory": "64Mi", "ephemeral-storage": "1G"}},
       "resizePolicy": [{"resourceName": "cpu", "restartPolicy": "NotRequired"}],
       "volumeMounts": [{"name": "data", "mountPath": "/data", "subPath": "app", "readOnly": true,
                         "mountPropagation": "HostToContainer"},
                        {"name": "cfg", "mountPath": "/etc/cfg", "recursiveReadOnly": "Disabled"}],
       "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP",
           "httpHeaders": [{"name": "X-Probe", "value": "1"}]},
         "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
         "failureThreshold": 3, "terminationGracePeriodSeconds": 0},
       "readinessProbe": {"tcpSocket": {"port": "http"}, "periodSeconds": 5},
       "startupProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "failureThreshold": 30},
       "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "true"]}},
                     "preStop": {"sleep": {"seconds": 5}}},
       "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "FallbackToLogsOnError",
       "imagePullPolicy": "Always",
       "securityContext": {"capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}, "privileged": false,
         "runAsUser": 1000, "runAsGroup": 0, "runAsNonRoot": true, "readOnlyRootFilesystem": true,
         "allowPrivilegeEscalation": false, "seccompProfile": {"type": "RuntimeDefault"}},
       "stdin": true, "tty": true}],
     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "activeDeadlineSeconds": 600,
     "dnsPolicy": "ClusterFirst", "nodeSelector": {"kubernetes.io/os": "linux"},
     "serviceAccountName": "robot", "serviceAccount": "robot", "automountServiceAccountToken": false,
     "nodeName": "edge-1", "hostNetwork": true, "shareProcessNamespace": true,
     "securityContext": {"runAsUser": 1000, "fsGroup": 2000, "supplementalGroups": [3000, 4000],
       "sysctls": [{"name": "net.core.somaxconn", "value": "1024"}], "fsGroupChangePolicy": "OnRootMismatch"},
     "imagePullSecrets": [{"name": "registry"}], "hostname": "web-0", "subdomain": "web",
     "affinity": {
       "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
           {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]},
         "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 10, "preference": {
           "matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["edge-9"]}]}}]},
       "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100,
         "podAffinityTerm": {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname",
           "namespaces": ["default"], "matchLabelKeys": ["pod-template-hash"]}}]}},
     "schedulerName": "default-scheduler",
     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                      "tolerationSeconds": 300}, {"key": "dedicated", "operator": "Equal", "value": "edge",
                      "effect": "NoSchedule"}],
     "hostAliases": [{"ip": "10.0.0.9", "hostnames": ["db.local"]}],
     "priorityClassName": "high", "priority": 1000,
     "dnsConfig": {"nameservers": ["10.43.0.10"], "searches": ["svc.cluster.local"],
                   "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]},
     "readinessGates": [{"conditionType": "example.com/ready"}], "runtimeClassName": "runc",
     "enableServiceLinks": false, "preemptionPolicy": "PreemptLowerPriority",
     "overhead": {"cpu": "10m"},
     "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
       "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "minDomains": 2}],
     "os": {"name": "linux"}, "hostUsers": false,
     "volumes": [
       {"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0", "readOnly": true}},
       {"name": "cfg", "configMap": {"name": "settings", "items": [{"key": "mode", "path": "mode.txt",
         "mode": 256}], "defaultMode": 420, "optional": true}},
       {"name": "sec", "secret": {"secretName": "creds", "defaultMode": 384}},
       {"name": "scratch", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
       {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
       {"name": "proj", "projected": {"sources": [
         {"serviceAccountToken": {"audience": "api", "expirationSeconds": 3607, "path": "token"}},
         {"downwardAPI": {"items": [{"path": "labels", "fieldRef": {"apiVersion": "v1",
           "fieldPath": "metadata.labels"}}]}},
         {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}],
         "defaultMode": 420}},
       {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": {"k": "v"}},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                  "storageClassName": "local-path"}}}},
       {"name": "nfs", "nfs": {"server": "10.0.0.5", "path": "/exports", "readOnly": true}},
       {"name": "img", "image": {"reference": "example.com/data:1", "pullPolicy": "IfNotPresent"}}]}
    """
}
