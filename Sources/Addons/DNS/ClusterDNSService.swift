import KubeAPI
import KubeClient

/// The `kube-dns` Service in kube-system that pods' resolv.conf and `kubectl get svc` expect,
/// shaped like K3s's CoreDNS manifest. Nodes answer its ClusterIP themselves; the Service
/// records that the address is taken and tells tools where cluster DNS lives.
public enum ClusterDNSService {
  public static let namespace = "kube-system"
  public static let name = "kube-dns"

  /// The Service as it should be.
  public static func desired(clusterIP: String) -> JSONValue {
    [
      "apiVersion": "v1", "kind": "Service",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace),
        "labels": [
          "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS",
        ],
        "annotations": ["prometheus.io/port": "9153", "prometheus.io/scrape": "true"],
      ],
      "spec": [
        "selector": ["k8s-app": "kube-dns"],
        "clusterIP": .string(clusterIP),
        "ports": [
          ["name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53],
          ["name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53],
          ["name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153],
        ],
      ],
    ]
  }

  /// Creates the Service, or repairs its labels, selector and ports; a Service holding
  /// another ClusterIP is replaced (the address is immutable). Safe to call at every start.
  public static func ensure(client: KubeClient, clusterIP: String = ClusterDNSConfiguration.defaultServiceIP)
    async throws
  {
    guard IPAddress(clusterIP) != nil else {
      throw AddonsError(.invalidConfiguration, "invalid cluster DNS service IP \"\(clusterIP)\"")
    }
    let wanted = desired(clusterIP: clusterIP)
    let current: JSONValue
    do {
      current = try await client.get(.services, namespace: namespace, name: name)
    } catch  where error.isNotFound {
      try await create(client: client, wanted)
      return
    }
    if current["spec"]?["clusterIP"]?.stringValue != clusterIP {
      try await client.delete(.services, namespace: namespace, name: name)
      try await create(client: client, wanted)
      return
    }
    var patch: [String: JSONValue] = [:]
    let labels = wanted["metadata"]?["labels"]?.objectValue ?? [:]
    if labels.contains(where: { current.metadata.labels?[$0.key] != $0.value.stringValue }) {
      patch["metadata"] = ["labels": .object(labels)]
    }
    if current["spec"]?["selector"] != wanted["spec"]?["selector"] || !portsMatch(current, wanted) {
      patch["spec"] = ["selector": wanted["spec"]?["selector"] ?? .null, "ports": wanted["spec"]?["ports"] ?? .null]
    }
    if !patch.isEmpty {
      try await client.patch(.services, namespace: namespace, name: name, .object(patch), as: .merge)
    }
  }

  private static func create(client: KubeClient, _ service: JSONValue) async throws {
    do {
      try await client.create(.services, namespace: namespace, service)
    } catch  where error.isAlreadyExists {
      // Another server of an HA cluster won the race.
    }
  }

  /// Ports compared on the fields the desired spec sets (the server adds defaults).
  private static func portsMatch(_ current: JSONValue, _ wanted: JSONValue) -> Bool {
    let fields = ["name", "port", "protocol"]
    let project = { (service: JSONValue) in
      (service["spec"]?["ports"]?.arrayValue ?? []).map { port in fields.map { port[$0] } }
    }
    return project(current) == project(wanted)
  }
}
