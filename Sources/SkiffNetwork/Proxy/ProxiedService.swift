import KubeAPI

/// What the proxy needs from one Service, read from its JSON: the addresses it answers on,
/// its ports and the traffic policies that decide which endpoints serve which traffic.
public struct ProxiedService: Sendable, Hashable {
  public struct Port: Sendable, Hashable {
    /// The port's name; matches the EndpointSlice port of the same name ("" when unnamed).
    public var name: String
    /// `tcp`, `udp` or `sctp`, as nft spells them.
    public var proto: String
    public var port: Int
    public var nodePort: Int?

    public init(name: String = "", proto: String = "tcp", port: Int, nodePort: Int? = nil) {
      self.name = name
      self.proto = proto
      self.port = port
      self.nodePort = nodePort
    }
  }

  public var namespace: String
  public var name: String
  /// IPv4 cluster IPs; empty for headless and ExternalName Services, which get no rules.
  public var clusterIPs: [String]
  public var ports: [Port]
  /// Whether node ports are served (type NodePort or LoadBalancer).
  public var exposesNodePorts: Bool
  public var externalIPs: [String]
  /// `status.loadBalancer.ingress[].ip`.
  public var loadBalancerIPs: [String]
  /// ClientIP affinity timeout in seconds; nil without session affinity.
  public var affinityTimeout: Int?
  /// externalTrafficPolicy Local: external traffic only to this node's endpoints, client IP kept.
  public var externalTrafficLocal: Bool
  /// internalTrafficPolicy Local: cluster traffic only to this node's endpoints.
  public var internalTrafficLocal: Bool

  public init(
    namespace: String, name: String, clusterIPs: [String], ports: [Port], exposesNodePorts: Bool = false,
    externalIPs: [String] = [], loadBalancerIPs: [String] = [], affinityTimeout: Int? = nil,
    externalTrafficLocal: Bool = false, internalTrafficLocal: Bool = false
  ) {
    self.namespace = namespace
    self.name = name
    self.clusterIPs = clusterIPs
    self.ports = ports
    self.exposesNodePorts = exposesNodePorts
    self.externalIPs = externalIPs
    self.loadBalancerIPs = loadBalancerIPs
    self.affinityTimeout = affinityTimeout
    self.externalTrafficLocal = externalTrafficLocal
    self.internalTrafficLocal = internalTrafficLocal
  }

  /// Reads a v1 Service; nil for those the proxy ignores (headless, ExternalName, no IPv4 IP).
  public init?(json service: JSONValue) {
    let spec = service["spec"]
    let type = spec?["type"]?.stringValue ?? "ClusterIP"
    guard type != "ExternalName" else { return nil }
    var ips = spec?["clusterIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []
    if ips.isEmpty, let ip = spec?["clusterIP"]?.stringValue { ips = [ip] }
    ips = ips.filter(IPv4.isAddress)
    guard !ips.isEmpty else { return nil }
    namespace = service.metadata.namespace ?? "default"
    name = service.metadata.name ?? ""
    clusterIPs = ips
    ports = (spec?["ports"]?.arrayValue ?? []).compactMap { port in
      guard let number = port["port"]?.intValue else { return nil }
      return Port(
        name: port["name"]?.stringValue ?? "", proto: (port["protocol"]?.stringValue ?? "TCP").lowercased(),
        port: Int(number), nodePort: port["nodePort"]?.intValue.map(Int.init))
    }
    exposesNodePorts = type == "NodePort" || type == "LoadBalancer"
    externalIPs = (spec?["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue).filter(IPv4.isAddress)
    loadBalancerIPs =
      type == "LoadBalancer"
      ? (service["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
        .filter(IPv4.isAddress) : []
    if spec?["sessionAffinity"]?.stringValue == "ClientIP" {
      let timeout = spec?["sessionAffinityConfig"]?["clientIP"]?["timeoutSeconds"]?.intValue
      affinityTimeout = Int(timeout ?? 10800)
    } else {
      affinityTimeout = nil
    }
    let external = spec?["externalTrafficPolicy"]?.stringValue
    externalTrafficLocal = external == "Local"
    internalTrafficLocal = spec?["internalTrafficPolicy"]?.stringValue == "Local"
  }

  public var key: String { "\(namespace)/\(name)" }
}

/// One backend address of a Service port, from an EndpointSlice.
public struct ServiceEndpoint: Sendable, Hashable, Comparable {
  public var ip: String
  public var port: Int
  public var nodeName: String?
  public var ready: Bool
  public var serving: Bool
  public var terminating: Bool

  public init(
    ip: String, port: Int, nodeName: String? = nil, ready: Bool = true, serving: Bool = true, terminating: Bool = false
  ) {
    self.ip = ip
    self.port = port
    self.nodeName = nodeName
    self.ready = ready
    self.serving = serving
    self.terminating = terminating
  }

  public static func < (lhs: ServiceEndpoint, rhs: ServiceEndpoint) -> Bool {
    (IPv4.value(lhs.ip) ?? 0, lhs.port) < (IPv4.value(rhs.ip) ?? 0, rhs.port)
  }

  /// Ready endpoints; when none is ready, those still serving while terminating (as kube-proxy
  /// does, so connections drain instead of failing during a rollout).
  public static func usable(_ endpoints: [ServiceEndpoint]) -> [ServiceEndpoint] {
    let ready = endpoints.filter(\.ready)
    if !ready.isEmpty { return ready }
    return endpoints.filter { $0.serving && $0.terminating }
  }

  /// Endpoints per port name of one Service, merged from all its EndpointSlices
  /// (`kubernetes.io/service-name` label); duplicates across slices count once.
  public static func byPortName(slices: [JSONValue]) -> [String: [ServiceEndpoint]] {
    var result: [String: Set<ServiceEndpoint>] = [:]
    for slice in slices where (slice["addressType"]?.stringValue ?? "IPv4") == "IPv4" {
      let ports = slice["ports"]?.arrayValue ?? []
      for endpoint in slice["endpoints"]?.arrayValue ?? [] {
        guard let ip = endpoint["addresses"]?.arrayValue?.first?.stringValue, IPv4.isAddress(ip) else { continue }
        let conditions = endpoint["conditions"]
        // Unset conditions mean ready/serving; terminating defaults to false (discovery/v1).
        let ready = conditions?["ready"]?.boolValue ?? true
        let serving = conditions?["serving"]?.boolValue ?? ready
        let terminating = conditions?["terminating"]?.boolValue ?? false
        for port in ports {
          guard let number = port["port"]?.intValue else { continue }
          result[port["name"]?.stringValue ?? "", default: []].insert(
            ServiceEndpoint(
              ip: ip, port: Int(number), nodeName: endpoint["nodeName"]?.stringValue, ready: ready, serving: serving,
              terminating: terminating))
        }
      }
    }
    return result.mapValues { $0.sorted() }
  }
}

/// A pod's `hostPort`: traffic to a node IP (or the declared `hostIP`) on that port goes to the pod.
public struct HostPortMapping: Sendable, Hashable, Comparable {
  public var proto: String
  public var hostIP: String?
  public var hostPort: Int
  public var podIP: String
  public var containerPort: Int

  public init(proto: String = "tcp", hostIP: String? = nil, hostPort: Int, podIP: String, containerPort: Int) {
    self.proto = proto
    self.hostIP = hostIP
    self.hostPort = hostPort
    self.podIP = podIP
    self.containerPort = containerPort
  }

  public static func < (lhs: HostPortMapping, rhs: HostPortMapping) -> Bool {
    (lhs.hostPort, lhs.proto, lhs.hostIP ?? "") < (rhs.hostPort, rhs.proto, rhs.hostIP ?? "")
  }

  /// The hostPorts a running pod with an IP declares (host-network pods need none).
  public static func of(pod: JSONValue) -> [HostPortMapping] {
    guard pod["spec"]?["hostNetwork"]?.boolValue != true,
      let podIP = pod["status"]?["podIP"]?.stringValue, IPv4.isAddress(podIP)
    else { return [] }
    let phase = pod["status"]?["phase"]?.stringValue
    guard phase != "Succeeded", phase != "Failed" else { return [] }
    var result: [HostPortMapping] = []
    for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
      for port in container["ports"]?.arrayValue ?? [] {
        guard let hostPort = port["hostPort"]?.intValue, hostPort > 0,
          let containerPort = port["containerPort"]?.intValue
        else { continue }
        let hostIP = port["hostIP"]?.stringValue.flatMap { $0.isEmpty || $0 == "0.0.0.0" ? nil : $0 }
        result.append(
          HostPortMapping(
            proto: (port["protocol"]?.stringValue ?? "TCP").lowercased(), hostIP: hostIP, hostPort: Int(hostPort),
            podIP: podIP, containerPort: Int(containerPort)))
      }
    }
    return result
  }
}
