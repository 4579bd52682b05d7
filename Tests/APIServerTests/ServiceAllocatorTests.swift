import KubeAPI
import Testing

@testable import APIServer

/// ClusterIP allocation: requested addresses (in clusterIP or clusterIPs) are checked and held
/// on create, taken addresses come from the stored services, and a release frees at once.
@Suite struct ServiceAllocatorTests {
  func service(_ spec: JSONValue) -> JSONValue {
    ["kind": "Service", "metadata": ["name": "s"], "spec": spec]
  }

  @Test func requestedAddressesAreCheckedAndHeldOnCreate() throws {
    let allocator = try ServiceAllocator(cidr: "10.43.0.0/24", nodePorts: 30000...30001)
    var dns = service(["clusterIPs": ["10.43.0.10"], "ports": [["port": 53]]])
    try allocator.allocate(&dns, isCreate: true)
    #expect(dns["spec"]?["clusterIP"]?.stringValue == "10.43.0.10")
    var again = service(["clusterIP": "10.43.0.10", "clusterIPs": ["10.43.0.10"]])
    #expect(throws: APIError.self) { try allocator.allocate(&again, isCreate: true) }
    var outside = service(["clusterIP": "10.99.0.1", "clusterIPs": ["10.99.0.1"]])
    #expect(throws: APIError.self) { try allocator.allocate(&outside, isCreate: true) }
    // An update keeps its own address.
    try allocator.allocate(&dns, isCreate: false)
    allocator.release(dns)
    var reused = service(["clusterIP": "10.43.0.10"])
    try allocator.allocate(&reused, isCreate: true)
  }

  @Test func storedServicesHoldTheirAddressesAndPorts() throws {
    let allocator = try ServiceAllocator(cidr: "10.43.0.0/24", nodePorts: 30000...30001)
    let stored: [JSONValue] = [
      service(["clusterIP": "10.43.0.20", "ports": [["port": 80, "nodePort": 30000]]])
    ]
    allocator.follow { stored }
    var taken = service(["clusterIP": "10.43.0.20"])
    #expect(throws: APIError.self) { try allocator.allocate(&taken, isCreate: true) }
    var nodePort = service(["type": "NodePort", "ports": [["port": 80]]])
    try allocator.allocate(&nodePort, isCreate: true)
    #expect(nodePort["spec"]?["ports"]?.arrayValue?.first?["nodePort"]?.intValue == 30001)
  }
}
