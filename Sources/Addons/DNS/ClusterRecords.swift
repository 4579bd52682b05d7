import KubeAPI
import Synchronization

/// What DNS needs from Services, EndpointSlices and Namespaces, kept current by informer
/// events and read by every query. Updates are incremental: one event touches one entry.
public final class ClusterRecords: Sendable {
  struct Port: Hashable, Sendable {
    var name: String
    /// Lower-case: "tcp", "udp", "sctp".
    var proto: String
    var port: UInt16
  }

  enum ServiceKind: Hashable, Sendable {
    case clusterIP([IPAddress])
    case headless
    case externalName(String)
  }

  struct Service: Hashable, Sendable {
    var name: String
    var namespace: String
    var kind: ServiceKind
    var ports: [Port]
  }

  struct Endpoint: Hashable, Sendable {
    var addresses: [IPAddress]
    /// `hostname` from the slice, else the dashed address CoreDNS uses.
    var hostname: String?
    var ready: Bool
  }

  struct Slice: Hashable, Sendable {
    var ports: [Port]
    var endpoints: [Endpoint]
  }

  struct Key: Hashable, Sendable {
    var namespace: String
    var name: String
  }

  struct State: Sendable {
    var services: [Key: Service] = [:]
    /// Slices of each service, by slice name.
    var slices: [Key: [String: Slice]] = [:]
    var namespaces: Set<String> = []
    /// Services per namespace, so an empty namespace name answers NXDOMAIN cheaply.
    var serviceCount: [String: Int] = [:]
  }

  let state = Mutex(State())
  /// Bumped after every change, so cached answers built from older records are dropped.
  let generation = Atomic<UInt64>(0)

  public init() {}

  /// Applies a Service event (added/updated or deleted).
  public func apply(service object: JSONValue, deleted: Bool) {
    guard let name = object.metadata.name, let namespace = object.metadata.namespace else { return }
    let key = Key(namespace: namespace, name: name)
    let service = deleted ? nil : Self.service(object, name: name, namespace: namespace)
    state.withLock { state in
      let old = state.services[key]
      state.services[key] = service
      switch (old, service) {
      case (nil, .some): state.serviceCount[namespace, default: 0] += 1
      case (.some, nil):
        state.serviceCount[namespace, default: 1] -= 1
        if state.serviceCount[namespace] == 0 { state.serviceCount[namespace] = nil }
      default: break
      }
    }
    generation.add(1, ordering: .releasing)
  }

  /// Applies an EndpointSlice event; slices without the `kubernetes.io/service-name` label are ignored.
  public func apply(endpointSlice object: JSONValue, deleted: Bool) {
    guard let name = object.metadata.name, let namespace = object.metadata.namespace,
      let service = object.metadata.labels?["kubernetes.io/service-name"]
    else { return }
    let key = Key(namespace: namespace, name: service)
    let slice = deleted ? nil : Self.slice(object)
    state.withLock { state in
      state.slices[key, default: [:]][name] = slice
      if state.slices[key]?.isEmpty == true { state.slices[key] = nil }
    }
    generation.add(1, ordering: .releasing)
  }

  /// Applies a Namespace event, so an existing namespace without services answers NODATA.
  public func apply(namespace object: JSONValue, deleted: Bool) {
    guard let name = object.metadata.name else { return }
    state.withLock { state in
      if deleted { state.namespaces.remove(name) } else { state.namespaces.insert(name) }
    }
    generation.add(1, ordering: .releasing)
  }

  static func service(_ object: JSONValue, name: String, namespace: String) -> Service {
    let spec = object["spec"]
    let ports = (spec?["ports"]?.arrayValue ?? []).compactMap { port -> Port? in
      guard let number = port["port"]?.intValue, let value = UInt16(exactly: number) else { return nil }
      return Port(
        name: port["name"]?.stringValue ?? "", proto: (port["protocol"]?.stringValue ?? "TCP").lowercased(),
        port: value)
    }
    let kind: ServiceKind
    if spec?["type"]?.stringValue == "ExternalName" {
      kind = .externalName(spec?["externalName"]?.stringValue ?? "")
    } else {
      var ips = (spec?["clusterIPs"]?.arrayValue ?? []).compactMap { $0.stringValue }
      if ips.isEmpty, let ip = spec?["clusterIP"]?.stringValue { ips = [ip] }
      if ips.first == "None" {
        kind = .headless
      } else {
        kind = .clusterIP(ips.compactMap { IPAddress($0) })
      }
    }
    return Service(name: name, namespace: namespace, kind: kind, ports: ports)
  }

  static func slice(_ object: JSONValue) -> Slice {
    let ports = (object["ports"]?.arrayValue ?? []).compactMap { port -> Port? in
      guard let number = port["port"]?.intValue, let value = UInt16(exactly: number) else { return nil }
      return Port(
        name: port["name"]?.stringValue ?? "", proto: (port["protocol"]?.stringValue ?? "TCP").lowercased(),
        port: value)
    }
    let endpoints = (object["endpoints"]?.arrayValue ?? []).map { endpoint in
      Endpoint(
        addresses: (endpoint["addresses"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { IPAddress($0) } },
        hostname: endpoint["hostname"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
        // A nil condition means ready (discovery.k8s.io/v1).
        ready: endpoint["conditions"]?["ready"]?.boolValue ?? true)
    }
    return Slice(ports: ports, endpoints: endpoints)
  }
}
