import KubeAPI

/// The objects of the workload (as the earlier Python load.py made them): a pod with one container
/// and resource requests, and a ConfigMap with 1 KiB of data; both labelled app=bench.
enum BenchObjects {
  static func pod(_ name: String) -> JSONValue {
    [
      "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["app": "bench"]],
      "spec": [
        "containers": [
          [
            "name": "app", "image": .string("registry.local/app@sha256:" + String(repeating: "a", count: 64)),
            "resources": ["requests": ["cpu": "10m", "memory": "16Mi"], "limits": ["memory": "16Mi"]],
          ]
        ],
        "serviceAccountName": "bench", "automountServiceAccountToken": false,
      ],
    ]
  }

  static func configMap(_ name: String) -> JSONValue {
    [
      "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": ["app": "bench"]],
      "data": ["payload": .string(String(repeating: "x", count: 1024))],
    ]
  }

  static func make(_ kind: String, _ name: String) -> JSONValue {
    kind == "pods" ? pod(name) : configMap(name)
  }
}
