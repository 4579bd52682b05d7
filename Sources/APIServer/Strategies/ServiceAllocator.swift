import KubeAPI
import Synchronization

/// Hands out ClusterIPs from the service CIDR and NodePorts from their range. What is taken
/// comes from the services cache, which follows the store — so addresses given out or freed by
/// another server of an HA cluster count too — plus what this server handed out recently and
/// the cache may not show yet.
final class ServiceAllocator: Sendable {
  private let base: UInt32
  private let size: UInt32
  private let nodePorts: ClosedRange<Int64>
  /// Handed out here, by expiry: long enough for the Service to reach the cache, short enough
  /// that a dry run or a failed create never holds an address for good.
  private let state = Mutex<(ips: [UInt32: ContinuousClock.Instant], ports: [Int64: ContinuousClock.Instant])>(
    ([:], [:]))
  private let stored = Mutex<@Sendable () -> [JSONValue]>({ [] })
  static let pendingLifetime = Duration.seconds(60)

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

  /// Where the stored services come from (the services watch cache).
  func follow(_ services: @escaping @Sendable () -> [JSONValue]) { stored.withLock { $0 = services } }

  /// Addresses and node ports the stored services hold.
  private func storedTaken() -> (ips: Set<UInt32>, ports: Set<Int64>) {
    var taken: (ips: Set<UInt32>, ports: Set<Int64>) = ([], [])
    for service in stored.withLock({ $0 })() {
      let spec = service["spec"]
      if let ip = spec?["clusterIP"]?.stringValue.flatMap(IPv4.parse) { taken.ips.insert(ip) }
      for port in spec?["ports"]?.arrayValue ?? [] {
        if let nodePort = port["nodePort"]?.intValue { taken.ports.insert(nodePort) }
      }
    }
    return taken
  }

  /// Fills in a ClusterIP and NodePorts; on create an address the client asked for (in
  /// `clusterIP` or `clusterIPs`) must be in range and free.
  func allocate(_ service: inout JSONValue, isCreate: Bool) throws(APIError) {
    guard var spec = service["spec"] else { return }
    let type = spec["type"]?.stringValue ?? "ClusterIP"
    if type == "ExternalName" { return }
    let taken = storedTaken()
    let now = ContinuousClock.now
    state.withLock { state in
      state.ips = state.ips.filter { $0.value > now }
      state.ports = state.ports.filter { $0.value > now }
    }
    let expiry = now + Self.pendingLifetime
    let asked = spec["clusterIP"]?.stringValue ?? spec["clusterIPs"]?.arrayValue?.first?.stringValue ?? ""
    if !asked.isEmpty { spec["clusterIP"] = .string(asked) }
    if asked.isEmpty {
      let ip = try state.withLock { state throws(APIError) -> UInt32 in
        // Random start spreads allocations; the low addresses are kept for well-known services.
        let reserved: UInt32 = min(16, size / 2)
        let span = size - 1 - reserved
        guard span > 0 else { throw APIError.internalError("service CIDR too small") }
        let start = UInt32.random(in: 0..<span)
        for step in 0..<span {
          let candidate = base + reserved + 1 + (start + step) % span
          if !taken.ips.contains(candidate) && state.ips[candidate] == nil {
            state.ips[candidate] = expiry
            return candidate
          }
        }
        throw APIError.internalError("failed to allocate a serviceIP: range is full")
      }
      spec["clusterIP"] = .string(IPv4.format(ip))
    } else if asked != "None", isCreate || spec["clusterIPs"] == nil {
      guard let ip = IPv4.parse(asked), ip & ~size == base, ip != base else {
        throw APIError.invalid(
          ResourceDefinition.serviceDefinition, name: service["metadata"]?["name"]?.stringValue ?? "",
          errors: [
            .invalid(
              "spec.clusterIPs", .string(asked),
              "failed to allocate IP \(asked): the provided IP (\(asked)) is not in the valid range")
          ])
      }
      let inUse = state.withLock { state in
        if taken.ips.contains(ip) || state.ips[ip] != nil { return true }
        state.ips[ip] = expiry
        return false
      }
      if inUse {
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
            if !taken.ports.contains(candidate) && state.ports[candidate] == nil {
              state.ports[candidate] = expiry
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

  /// Returns a never stored (or deleted) service's addresses at once.
  func release(_ service: JSONValue) {
    guard service["kind"]?.stringValue == "Service" else { return }
    let spec = service["spec"]
    state.withLock { state in
      if let ip = spec?["clusterIP"]?.stringValue.flatMap(IPv4.parse) { state.ips[ip] = nil }
      for port in spec?["ports"]?.arrayValue ?? [] {
        if let nodePort = port["nodePort"]?.intValue { state.ports[nodePort] = nil }
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
