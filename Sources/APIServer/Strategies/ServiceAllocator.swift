import KubeAPI
import Synchronization

/// Hands out ClusterIPs from the service CIDR and NodePorts from their range. It learns the
/// addresses already taken from the services in the store before serving.
final class ServiceAllocator: Sendable {
  private let base: UInt32
  private let size: UInt32
  private let nodePorts: ClosedRange<Int64>
  private let state = Mutex<(ips: Set<UInt32>, ports: Set<Int64>)>(([], []))

  /// `cidr` such as 10.43.0.0/16; the first address (.1) is the `kubernetes` Service's.
  init(cidr: String, nodePorts: ClosedRange<Int64>) throws {
    let parts = cidr.split(separator: "/")
    guard parts.count == 2, let bits = UInt32(parts[1]), bits <= 30, let address = IPv4.parse(String(parts[0])) else {
      throw APIError.badRequest("invalid service CIDR \(cidr): want an IPv4 network like 10.43.0.0/16")
    }
    let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
    base = address & mask
    size = ~mask
    self.nodePorts = nodePorts
  }

  /// The n-th address of the range: 1 is the API server's, 10 the cluster DNS's.
  func address(_ offset: UInt32) -> String { IPv4.format(base + offset) }

  /// Records what existing services hold.
  func note(_ service: JSONValue) {
    let spec = service["spec"]
    state.withLock { state in
      if let ip = spec?["clusterIP"]?.stringValue.flatMap(IPv4.parse) { state.ips.insert(ip) }
      for port in spec?["ports"]?.arrayValue ?? [] {
        if let nodePort = port["nodePort"]?.intValue { state.ports.insert(nodePort) }
      }
    }
  }

  func allocate(_ service: inout JSONValue) throws(APIError) {
    guard var spec = service["spec"] else { return }
    let type = spec["type"]?.stringValue ?? "ClusterIP"
    if type == "ExternalName" { return }
    let asked = spec["clusterIP"]?.stringValue ?? ""
    if asked.isEmpty {
      let ip = try state.withLock { state throws(APIError) -> UInt32 in
        // Random start spreads allocations; the low addresses are kept for well-known services.
        let reserved: UInt32 = min(16, size / 2)
        let span = size - 1 - reserved
        guard span > 0 else { throw APIError.internalError("service CIDR too small") }
        let start = UInt32.random(in: 0..<span)
        for step in 0..<span {
          let candidate = base + reserved + 1 + (start + step) % span
          if !state.ips.contains(candidate) {
            state.ips.insert(candidate)
            return candidate
          }
        }
        throw APIError.internalError("failed to allocate a serviceIP: range is full")
      }
      spec["clusterIP"] = .string(IPv4.format(ip))
    } else if asked != "None", spec["clusterIPs"] == nil {
      guard let ip = IPv4.parse(asked), ip & ~size == base, ip != base else {
        throw APIError.invalid(
          ResourceDefinition.serviceDefinition, name: service["metadata"]?["name"]?.stringValue ?? "",
          errors: [
            .invalid(
              "spec.clusterIPs", .string(asked),
              "failed to allocate IP \(asked): the provided IP (\(asked)) is not in the valid range")
          ])
      }
      let taken = state.withLock { state in !state.ips.insert(ip).inserted }
      if taken {
        throw APIError.invalid(
          ResourceDefinition.serviceDefinition, name: service["metadata"]?["name"]?.stringValue ?? "",
          errors: [
            .invalid(
              "spec.clusterIPs", .string(asked), "failed to allocate IP \(asked): provided IP is already allocated")
          ])
      }
    }
    if let ip = spec["clusterIP"] { spec["clusterIPs"] = spec["clusterIPs"] ?? .array([ip]) }
    if type == "NodePort" || type == "LoadBalancer", var ports = spec["ports"]?.arrayValue {
      for index in ports.indices where ports[index]["nodePort"] == nil {
        let port = try state.withLock { state throws(APIError) -> Int64 in
          let count = nodePorts.upperBound - nodePorts.lowerBound + 1
          let start = Int64.random(in: 0..<count)
          for step in 0..<count {
            let candidate = nodePorts.lowerBound + (start + step) % count
            if !state.ports.contains(candidate) {
              state.ports.insert(candidate)
              return candidate
            }
          }
          throw APIError.internalError("range of node ports is full")
        }
        ports[index]["nodePort"] = .int(port)
      }
      spec["ports"] = .array(ports)
    }
    service["spec"] = spec
  }

  /// Returns a deleted (or never stored) service's addresses.
  func release(_ service: JSONValue) {
    guard service["kind"]?.stringValue == "Service" else { return }
    let spec = service["spec"]
    state.withLock { state in
      if let ip = spec?["clusterIP"]?.stringValue.flatMap(IPv4.parse) { state.ips.remove(ip) }
      for port in spec?["ports"]?.arrayValue ?? [] {
        if let nodePort = port["nodePort"]?.intValue { state.ports.remove(nodePort) }
      }
    }
  }
}

enum IPv4 {
  static func parse(_ text: String) -> UInt32? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var value: UInt32 = 0
    for part in parts {
      guard let byte = UInt8(part) else { return nil }
      value = value << 8 | UInt32(byte)
    }
    return value
  }

  static func format(_ value: UInt32) -> String {
    "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
  }
}

extension ResourceDefinition {
  static let serviceDefinition = ResourceDefinition(
    group: "", version: "v1", kind: "Service", plural: "services", singular: "service", namespaced: true)
}
