// kubeproto-bench: protobuf decode/encode of a 1,000-pod PodList through KubeProto, beside
// Foundation's JSONSerialization on the same list as JSON, in one run. Prints key=value lines.
//
//   kubeproto-bench [--pods 1000] [--iterations 20] [--proto-only]
import Foundation
import KubeAPI
import KubeProto

var pods = 1000
var iterations = 20
var foundation = true
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--pods": pods = Int(arguments.next() ?? "") ?? pods
  case "--iterations": iterations = Int(arguments.next() ?? "") ?? iterations
  case "--proto-only": foundation = false
  default: break
  }
}

/// A pod as a scheduler-bound, running workload stores it: labels, owner, managed fields,
/// two containers with probes and resources, volumes, status with conditions.
func pod(_ index: Int) -> String {
  """
  {"metadata": {"name": "web-\(index)", "generateName": "web-7d9-", "namespace": "default",
     "uid": "6f1d2c3b-4a5e-4f60-8a7b-\(String(format: "%012d", index))", "resourceVersion": "\(100_000 + index)",
     "creationTimestamp": "2026-11-29T22:38:41Z", "labels": {"app": "web", "pod-template-hash": "7d9"},
     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9",
       "uid": "0b7e0a5c-2a61-4d0f-9a39-8e1c7d9b4f10", "controller": true, "blockOwnerDeletion": true}],
     "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
       "time": "2026-11-29T22:38:41Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {
       ".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\\"name\\":\\"app\\"}": {".": {}, "f:image": {}}}}}}]},
   "spec": {"volumes": [{"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {
       "expirationSeconds": 3607, "path": "token"}}, {"configMap": {"name": "kube-root-ca.crt", "items": [
       {"key": "ca.crt", "path": "ca.crt"}]}}], "defaultMode": 420}}],
     "containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"name": "http", "containerPort": 8080,
         "protocol": "TCP"}], "env": [{"name": "MODE", "value": "fast"}, {"name": "POD_IP", "valueFrom": {
         "fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}}],
       "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "64Mi"}},
       "volumeMounts": [{"name": "kube-api-access", "readOnly": true,
         "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
       "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}, "timeoutSeconds": 1,
         "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
       "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
       "imagePullPolicy": "IfNotPresent"},
       {"name": "sidecar", "image": "busybox:1.36", "command": ["sh", "-c", "sleep infinity"], "resources": {},
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"}],
     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
     "serviceAccountName": "default", "serviceAccount": "default", "nodeName": "edge-\(index % 4)",
     "securityContext": {}, "schedulerName": "default-scheduler",
     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
       "tolerationSeconds": 300}], "priority": 0, "enableServiceLinks": true,
     "preemptionPolicy": "PreemptLowerPriority"},
   "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null,
       "lastTransitionTime": "2026-11-29T22:38:45Z"}, {"type": "PodScheduled", "status": "True",
       "lastProbeTime": null, "lastTransitionTime": "2026-11-29T22:38:41Z"}],
     "hostIP": "10.0.0.\(index % 4 + 2)", "podIP": "10.42.\(index / 250).\(index % 250 + 2)",
     "podIPs": [{"ip": "10.42.\(index / 250).\(index % 250 + 2)"}], "startTime": "2026-11-29T22:38:41Z",
     "containerStatuses": [{"name": "app", "state": {"running": {"startedAt": "2026-11-29T22:38:44Z"}},
       "lastState": {}, "ready": true, "restartCount": 0, "image": "docker.io/library/nginx:1.27",
       "imageID": "docker.io/library/nginx@sha256:0123456789abcdef", "containerID": "skiff://\(index)",
       "started": true}], "qosClass": "Burstable"}}
  """
}

func json(_ any: Any) -> JSONValue {
  switch any {
  case is NSNull: return .null
  case let number as NSNumber:
    let type = String(cString: number.objCType)
    if type == "c" || type == "B" { return .bool(number.boolValue) }
    if type == "d" || type == "f" { return .double(number.doubleValue) }
    return .int(number.int64Value)
  case let string as String: return .string(string)
  case let array as [Any]: return .array(array.map(json))
  case let object as [String: Any]: return .object(object.mapValues(json))
  default: return .null
  }
}

/// CPU time of the calling thread: the machine's cores are shared, so wall time says more about
/// the neighbours than about the code.
func seconds(_ body: () throws -> Void) rethrows -> Double {
  func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }
  let start = now()
  try body()
  return now() - start
}

let listJSON = Data(
  ("{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"5\"},\"items\":["
    + (0..<pods).map(pod).joined(separator: ",") + "]}").utf8)
let foundationObject = try JSONSerialization.jsonObject(with: listJSON)
let list = json(foundationObject)
let items = list["items"]!.arrayValue!
let metadata = list["metadata"]!
let bytes = try KubeProtobuf.encodeList(apiVersion: "v1", kind: "PodList", items: items, metadata: metadata)
let compactJSON = try JSONSerialization.data(withJSONObject: foundationObject)

var decodeTime = 0.0
var encodeTime = 0.0
var foundationParse = 0.0
var foundationWrite = 0.0
for _ in 0..<iterations {
  decodeTime += try seconds { _ = try KubeProtobuf.decode(bytes) }
  encodeTime += try seconds {
    _ = try KubeProtobuf.encodeList(apiVersion: "v1", kind: "PodList", items: items, metadata: metadata)
  }
  guard foundation else { continue }
  foundationParse += try seconds { _ = try JSONSerialization.jsonObject(with: compactJSON) }
  foundationWrite += try seconds { _ = try JSONSerialization.data(withJSONObject: foundationObject) }
}
let decoded = try KubeProtobuf.decode(bytes)
precondition(decoded.object["items"]?.arrayValue?.count == pods, "decode lost items")

let runs = Double(iterations)
func rate(_ size: Int, _ total: Double) -> String {
  String(format: "%.1f", Double(size) * runs / total / 1e6)
}
func milliseconds(_ total: Double) -> String { String(format: "%.1f", total / runs * 1000) }
print("pods=\(pods) protobuf_bytes=\(bytes.count) json_bytes=\(compactJSON.count)")
print("proto_decode_ms=\(milliseconds(decodeTime)) proto_decode_MBps=\(rate(bytes.count, decodeTime))")
print("proto_encode_ms=\(milliseconds(encodeTime)) proto_encode_MBps=\(rate(bytes.count, encodeTime))")
guard foundation else { exit(0) }
print(
  "foundation_json_parse_ms=\(milliseconds(foundationParse)) foundation_json_parse_MBps="
    + rate(compactJSON.count, foundationParse))
print(
  "foundation_json_write_ms=\(milliseconds(foundationWrite)) foundation_json_write_MBps="
    + rate(compactJSON.count, foundationWrite))
