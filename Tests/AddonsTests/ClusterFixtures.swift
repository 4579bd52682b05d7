import KubeAPI

@testable import Addons

/// Services and EndpointSlices as the API serves them, for the resolver tests.
enum ClusterFixtures {
  static func service(
    _ name: String, _ namespace: String = "default", clusterIP: String? = nil, clusterIPs: [String]? = nil,
    type: String = "ClusterIP", externalName: String? = nil, ports: [(String, Int, String)] = []
  ) -> JSONValue {
    var spec: [String: JSONValue] = [
      "type": .string(type),
      "ports": .array(
        ports.map { ["name": .string($0.0), "port": .int(Int64($0.1)), "protocol": .string($0.2)] }),
    ]
    if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
    if let clusterIPs { spec["clusterIPs"] = .array(clusterIPs.map { .string($0) }) }
    if let externalName { spec["externalName"] = .string(externalName) }
    return [
      "apiVersion": "v1", "kind": "Service",
      "metadata": ["name": .string(name), "namespace": .string(namespace)],
      "spec": .object(spec),
    ]
  }

  static func slice(
    _ name: String, service: String, _ namespace: String = "default", ports: [(String, Int, String)],
    endpoints: [(addresses: [String], hostname: String?, ready: Bool?)]
  ) -> JSONValue {
    [
      "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace),
        "labels": ["kubernetes.io/service-name": .string(service)],
      ],
      "addressType": "IPv4",
      "ports": .array(ports.map { ["name": .string($0.0), "port": .int(Int64($0.1)), "protocol": .string($0.2)] }),
      "endpoints": .array(
        endpoints.map { endpoint in
          var object: [String: JSONValue] = ["addresses": .array(endpoint.addresses.map { .string($0) })]
          if let hostname = endpoint.hostname { object["hostname"] = .string(hostname) }
          if let ready = endpoint.ready { object["conditions"] = ["ready": .bool(ready)] }
          return .object(object)
        }),
    ]
  }

  /// web (ClusterIP), dual (dual-stack), db (headless, 3 endpoints, one not ready), ext and
  /// alias (ExternalName out of and into the zone), loop (ExternalName to itself), and an
  /// `empty` namespace with no services.
  static func records() -> ClusterRecords {
    let records = ClusterRecords()
    records.apply(
      service: service("web", clusterIP: "10.43.1.5", ports: [("http", 80, "TCP"), ("dns", 53, "UDP")]), deleted: false)
    records.apply(
      service: service(
        "dual", clusterIP: "10.43.1.6", clusterIPs: ["10.43.1.6", "fd00:43::6"], ports: [("http", 80, "TCP")]),
      deleted: false)
    records.apply(service: service("db", clusterIP: "None", ports: [("mysql", 3306, "TCP")]), deleted: false)
    records.apply(
      endpointSlice: slice(
        "db-abc", service: "db", ports: [("mysql", 3306, "TCP")],
        endpoints: [
          (["10.42.0.7"], "db-0", true), (["10.42.0.8"], nil, nil), (["10.42.0.9"], "db-2", false),
        ]), deleted: false)
    records.apply(
      endpointSlice: slice(
        "web-xyz", service: "web", ports: [("http", 8080, "TCP")], endpoints: [(["10.42.0.20"], nil, true)]),
      deleted: false)
    records.apply(
      service: service("ext", type: "ExternalName", externalName: "example.com", ports: [("https", 443, "TCP")]),
      deleted: false)
    records.apply(
      service: service("alias", type: "ExternalName", externalName: "web.default.svc.cluster.local"), deleted: false)
    records.apply(
      service: service("loop", type: "ExternalName", externalName: "loop.default.svc.cluster.local"), deleted: false)
    records.apply(namespace: ["metadata": ["name": "empty"]], deleted: false)
    records.apply(namespace: ["metadata": ["name": "default"]], deleted: false)
    return records
  }

  static func zone(_ records: ClusterRecords = records()) -> ClusterZone {
    ClusterZone(
      domain: try! DNSName("cluster.local"), records: records, ttl: 5,
      nameServerAddresses: [IPAddress("10.43.0.10")!], serial: 1)
  }
}
