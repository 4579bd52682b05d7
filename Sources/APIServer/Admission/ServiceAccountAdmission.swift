import KubeAPI

/// ServiceAccount admission: a pod runs as `default` unless it names an account, and gets the
/// `kube-api-access-*` projected volume (a bound token, the cluster CA, its namespace) mounted
/// where client libraries look, unless the pod or its account opts out.
enum ServiceAccountAdmission {
  static let mountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

  static func apply(to pod: inout JSONValue, account: JSONValue?) {
    guard var spec = pod["spec"], pod["metadata"]?["annotations"]?["kubernetes.io/config.mirror"] == nil else { return }
    if (spec["serviceAccountName"]?.stringValue ?? "").isEmpty {
      spec["serviceAccountName"] = "default"
      spec["serviceAccount"] = "default"
    }
    let automount =
      spec["automountServiceAccountToken"]?.boolValue ?? account?["automountServiceAccountToken"]?.boolValue ?? true
    let lists = ["initContainers", "containers", "ephemeralContainers"]
    let alreadyMounted = lists.contains { list in
      (spec[list]?.arrayValue ?? []).contains { container in
        (container["volumeMounts"]?.arrayValue ?? []).contains { $0["mountPath"]?.stringValue == mountPath }
      }
    }
    guard automount, !alreadyMounted else {
      pod["spec"] = spec
      return
    }
    let name = NameGenerator.generate(prefix: "kube-api-access-")
    var volumes = spec["volumes"]?.arrayValue ?? []
    volumes.append([
      "name": .string(name),
      "projected": [
        "defaultMode": 0o644,
        "sources": [
          ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
          ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
          [
            "downwardAPI": [
              "items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]
            ]
          ],
        ],
      ],
    ])
    spec["volumes"] = .array(volumes)
    for list in lists {
      guard var containers = spec[list]?.arrayValue else { continue }
      for index in containers.indices {
        var mounts = containers[index]["volumeMounts"]?.arrayValue ?? []
        mounts.append(["name": .string(name), "readOnly": true, "mountPath": .string(mountPath)])
        containers[index]["volumeMounts"] = .array(mounts)
      }
      spec[list] = .array(containers)
    }
    pod["spec"] = spec
  }
}
