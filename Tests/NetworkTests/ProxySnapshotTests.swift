import KubeAPI
import Testing

@testable import SkiffNetwork

/// Reading Services, EndpointSlices and pods from their API JSON.
@Suite struct ProxySnapshotTests {
  static let service: JSONValue = [
    "metadata": ["name": "web", "namespace": "shop"],
    "spec": [
      "type": "LoadBalancer", "clusterIP": "10.43.0.20", "clusterIPs": ["10.43.0.20"],
      "ports": [["name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "protocol": "TCP"]],
      "sessionAffinity": "ClientIP", "externalTrafficPolicy": "Local", "internalTrafficPolicy": "Cluster",
      "externalIPs": ["192.168.50.200"],
    ],
    "status": ["loadBalancer": ["ingress": [["ip": "192.168.50.201"]]]],
  ]

  /// A slice a user wrote for a selector-less Service: only the service-name label links them.
  static let userSlice: JSONValue = [
    "metadata": ["name": "web-manual", "namespace": "shop", "labels": ["kubernetes.io/service-name": "web"]],
    "addressType": "IPv4",
    "ports": [["name": "http", "port": 8080, "protocol": "TCP"]],
    "endpoints": [
      ["addresses": ["10.42.0.11"], "nodeName": "node-a"],
      ["addresses": ["10.42.0.12"], "conditions": ["ready": false, "serving": true, "terminating": true]],
    ],
  ]

  @Test func readsServiceFields() throws {
    let service = try #require(ProxiedService(json: Self.service))
    #expect(service.clusterIPs == ["10.43.0.20"])
    #expect(service.ports == [.init(name: "http", proto: "tcp", port: 80, nodePort: 30080)])
    #expect(service.exposesNodePorts)
    #expect(service.externalIPs == ["192.168.50.200"])
    #expect(service.loadBalancerIPs == ["192.168.50.201"])
    #expect(service.affinityTimeout == 10800)
    #expect(service.externalTrafficLocal)
    #expect(!service.internalTrafficLocal)
  }

  @Test func groupsSlicesByServiceNameLabel() {
    let other: JSONValue = [
      "metadata": ["name": "x", "namespace": "shop", "labels": ["kubernetes.io/service-name": "other"]],
      "endpoints": [["addresses": ["10.42.0.99"]]], "ports": [["name": "http", "port": 1]],
    ]
    let snapshot = ProxySnapshot(
      services: [Self.service], endpointSlices: [Self.userSlice, other], pods: [], nodeName: "node-a")
    let endpoints = snapshot.endpoints["shop/web"]?["http"] ?? []
    #expect(endpoints.map(\.ip) == ["10.42.0.11", "10.42.0.12"])
    #expect(endpoints[0].ready && endpoints[0].nodeName == "node-a")
    #expect(!endpoints[1].ready && endpoints[1].terminating && endpoints[1].serving)
  }

  @Test func hostPortsOfThisNodesRunningPods() {
    let pod: JSONValue = [
      "metadata": ["name": "ingress", "namespace": "default"],
      "spec": [
        "nodeName": "node-a",
        "containers": [["name": "c", "ports": [["containerPort": 80, "hostPort": 8080], ["containerPort": 9000]]]],
      ],
      "status": ["podIP": "10.42.0.30", "phase": "Running"],
    ]
    var elsewhere = pod
    elsewhere["spec"]?["nodeName"] = "node-b"
    let snapshot = ProxySnapshot(services: [], endpointSlices: [], pods: [pod, elsewhere], nodeName: "node-a")
    #expect(
      snapshot.hostPorts == [HostPortMapping(proto: "tcp", hostPort: 8080, podIP: "10.42.0.30", containerPort: 80)])
  }

  @Test func rejectsMalformedConfiguration() {
    #expect(throws: NetworkError.self) {
      try ProxyConfiguration(nodeName: "a", nodeIPs: ["1.2.3"]).validate()
    }
    #expect(throws: NetworkError.self) {
      try ProxyConfiguration(nodeName: "a", nodeIPs: [], clusterCIDR: "10.42.0.0/33").validate()
    }
    #expect(IPv4.canonical("10.42.7.9/16") == "10.42.0.0/16")
    #expect(IPv4.contains("10.42.0.0/16", "10.42.200.1"))
  }
}
