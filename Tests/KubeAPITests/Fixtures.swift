import KubeAPI

/// Realistic API objects for tests and the JSON benchmark's shape.
enum Fixtures {
  /// A pod as kube-apiserver stores it: metadata with labels/annotations/owner/managed fields,
  /// a two-container spec, and a populated status.
  static func pod(_ index: Int, namespace: String = "default") -> JSONValue {
    let name = "web-7d4b9c8f6d-\(String(index, radix: 36))"
    return [
      "apiVersion": "v1",
      "kind": "Pod",
      "metadata": [
        "name": .string(name),
        "generateName": "web-7d4b9c8f6d-",
        "namespace": .string(namespace),
        "uid": .string("3f1c2a9e-5b7d-4e8f-9a0b-\(String(format6(index)))"),
        "resourceVersion": .string(String(100_000 + index)),
        "creationTimestamp": "2026-11-29T22:38:41Z",
        "labels": ["app": "web", "pod-template-hash": "7d4b9c8f6d", "tier": "frontend"],
        "annotations": [
          "kubectl.kubernetes.io/restartedAt": "2026-11-29T22:00:00Z",
          "note": "<b>html & \"quotes\"</b>",
        ],
        "ownerReferences": [
          [
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c8f6d",
            "uid": "9a8b7c6d-1111-2222-3333-444455556666", "controller": true, "blockOwnerDeletion": true,
          ]
        ],
        "managedFields": [
          [
            "manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
            "time": "2026-11-29T22:38:41Z", "fieldsType": "FieldsV1",
            "fieldsV1": [
              "f:metadata": ["f:generateName": [:], "f:labels": [".": [:], "f:app": [:]]],
              "f:spec": ["f:containers": ["k:{\"name\":\"web\"}": [".": [:], "f:image": [:]]]],
            ],
          ]
        ],
      ],
      "spec": [
        "containers": [
          [
            "name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
            "ports": [["containerPort": 80, "protocol": "TCP", "name": "http"]],
            "resources": [
              "limits": ["cpu": "500m", "memory": "128Mi"], "requests": ["cpu": "100m", "memory": "64Mi"],
            ],
            "env": [["name": "MODE", "value": "production"], ["name": "RATIO", "value": "0.75"]],
            "readinessProbe": [
              "httpGet": ["path": "/healthz", "port": 80, "scheme": "HTTP"],
              "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3,
            ],
            "volumeMounts": [
              [
                "name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": true,
              ]
            ],
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
          ],
          [
            "name": "sidecar", "image": "busybox:1.36", "command": ["sh", "-c", "while true; do sleep 3600; done"],
            "resources": [:], "terminationMessagePath": "/dev/termination-log",
          ],
        ],
        "volumes": [
          [
            "name": "kube-api-access",
            "projected": [
              "defaultMode": 420,
              "sources": [["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]]],
            ],
          ]
        ],
        "nodeName": .string("node-\(index % 3)"), "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
        "terminationGracePeriodSeconds": 30, "schedulerName": "default-scheduler", "priority": 0,
        "serviceAccountName": "default", "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
        "tolerations": [
          [
            "key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 300,
          ]
        ],
      ],
      "status": [
        "phase": "Running", "qosClass": "Burstable",
        "hostIP": "10.0.0.5", "podIP": .string("10.42.\(index % 3).\(index % 250 + 2)"),
        "podIPs": [["ip": .string("10.42.\(index % 3).\(index % 250 + 2)")]],
        "startTime": "2026-11-29T22:38:41Z",
        "conditions": [
          ["type": "Initialized", "status": "True", "lastTransitionTime": "2026-11-29T22:38:41Z"],
          ["type": "Ready", "status": "True", "lastTransitionTime": "2026-11-29T22:38:45Z"],
          ["type": "ContainersReady", "status": "True", "lastTransitionTime": "2026-11-29T22:38:45Z"],
          ["type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-11-29T22:38:41Z"],
        ],
        "containerStatuses": [
          [
            "name": "web", "ready": true, "restartCount": 0, "started": true, "image": "docker.io/library/nginx:1.27",
            "imageID":
              "docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "containerID": "containerd://aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899",
            "state": ["running": ["startedAt": "2026-11-29T22:38:44Z"]], "lastState": [:],
          ]
        ],
      ],
    ]
  }

  /// A PodList of `count` pods, as a list response body.
  static func podList(_ count: Int) -> JSONValue {
    [
      "apiVersion": "v1", "kind": "PodList", "metadata": ["resourceVersion": "200000"],
      "items": .array((0..<count).map { pod($0) }),
    ]
  }

  private static func format6(_ index: Int) -> String {
    let digits = String(index)
    return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
  }
}
