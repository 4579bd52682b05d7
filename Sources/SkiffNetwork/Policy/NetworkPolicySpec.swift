import KubeAPI

/// One networking.k8s.io/v1 NetworkPolicy, read from its JSON into what the generator needs.
public struct NetworkPolicySpec: Sendable, Hashable {
  public struct Peer: Sendable, Hashable {
    /// nil: any pod (only meaningful with a namespace selector).
    public var podSelector: LabelSelector?
    /// nil: the policy's own namespace.
    public var namespaceSelector: LabelSelector?
    public var ipBlock: IPBlock?

    public init(podSelector: LabelSelector? = nil, namespaceSelector: LabelSelector? = nil, ipBlock: IPBlock? = nil) {
      self.podSelector = podSelector
      self.namespaceSelector = namespaceSelector
      self.ipBlock = ipBlock
    }
  }

  public struct IPBlock: Sendable, Hashable {
    public var cidr: String
    public var except: [String]

    public init(cidr: String, except: [String] = []) {
      self.cidr = cidr
      self.except = except
    }
  }

  public struct Port: Sendable, Hashable {
    public var proto: String
    /// nil: every port of the protocol.
    public var number: Int?
    /// A named container port, resolved per pod.
    public var name: String?
    public var endPort: Int?

    public init(proto: String = "tcp", number: Int? = nil, name: String? = nil, endPort: Int? = nil) {
      self.proto = proto
      self.number = number
      self.name = name
      self.endPort = endPort
    }
  }

  public struct Rule: Sendable, Hashable {
    /// Empty: every peer.
    public var peers: [Peer]
    /// Empty: every port.
    public var ports: [Port]

    public init(peers: [Peer] = [], ports: [Port] = []) {
      self.peers = peers
      self.ports = ports
    }
  }

  public var namespace: String
  public var name: String
  public var podSelector: LabelSelector
  /// Set when the policy isolates the selected pods for ingress.
  public var ingress: [Rule]?
  /// Set when the policy isolates the selected pods for egress.
  public var egress: [Rule]?

  public init(
    namespace: String, name: String, podSelector: LabelSelector = .everything, ingress: [Rule]? = nil,
    egress: [Rule]? = nil
  ) {
    self.namespace = namespace
    self.name = name
    self.podSelector = podSelector
    self.ingress = ingress
    self.egress = egress
  }

  /// Reads a policy. `policyTypes` defaults as upstream: Ingress always, Egress when the policy
  /// has egress rules. A selector the API server should have rejected selects nothing.
  public init(json policy: JSONValue) {
    let spec = policy["spec"]
    namespace = policy.metadata.namespace ?? "default"
    name = policy.metadata.name ?? ""
    podSelector = Self.selector(spec?["podSelector"]) ?? .everything
    let ingressRules = (spec?["ingress"]?.arrayValue ?? []).map { Self.rule($0, peersKey: "from") }
    let egressRules = (spec?["egress"]?.arrayValue ?? []).map { Self.rule($0, peersKey: "to") }
    var types = spec?["policyTypes"]?.arrayValue?.compactMap(\.stringValue) ?? []
    if types.isEmpty { types = egressRules.isEmpty ? ["Ingress"] : ["Ingress", "Egress"] }
    ingress = types.contains("Ingress") ? ingressRules : nil
    egress = types.contains("Egress") ? egressRules : nil
  }

  static func selector(_ json: JSONValue?) -> LabelSelector? {
    guard let json, !json.isNull else { return nil }
    return (try? LabelSelector(object: json)) ?? .nothing
  }

  static func rule(_ json: JSONValue, peersKey: String) -> Rule {
    let peers = (json[peersKey]?.arrayValue ?? []).map { peer in
      var block: IPBlock?
      if let ipBlock = peer["ipBlock"], let cidr = ipBlock["cidr"]?.stringValue {
        block = IPBlock(cidr: cidr, except: ipBlock["except"]?.arrayValue?.compactMap(\.stringValue) ?? [])
      }
      return Peer(
        podSelector: selector(peer["podSelector"]), namespaceSelector: selector(peer["namespaceSelector"]),
        ipBlock: block)
    }
    let ports = (json["ports"]?.arrayValue ?? []).map { port in
      let proto = (port["protocol"]?.stringValue ?? "TCP").lowercased()
      let value = port["port"]
      return Port(
        proto: proto, number: value?.intValue.map(Int.init), name: value?.stringValue,
        endPort: port["endPort"]?.intValue.map(Int.init))
    }
    return Rule(peers: peers, ports: ports)
  }
}

/// A pod as policy sees it: address, labels and named container ports.
public struct PolicyPod: Sendable, Hashable {
  public struct NamedPort: Sendable, Hashable {
    public var proto: String
    public var port: Int

    public init(proto: String, port: Int) {
      self.proto = proto
      self.port = port
    }
  }

  public var namespace: String
  public var name: String
  public var ip: String
  public var labels: [String: String]
  public var nodeName: String?
  public var namedPorts: [String: [NamedPort]]

  public init(
    namespace: String, name: String, ip: String, labels: [String: String] = [:], nodeName: String? = nil,
    namedPorts: [String: [NamedPort]] = [:]
  ) {
    self.namespace = namespace
    self.name = name
    self.ip = ip
    self.labels = labels
    self.nodeName = nodeName
    self.namedPorts = namedPorts
  }

  /// A pod with an IPv4 pod IP of its own; host-network and finished pods take no part in policy.
  public init?(json pod: JSONValue) {
    guard pod["spec"]?["hostNetwork"]?.boolValue != true, let ip = pod["status"]?["podIP"]?.stringValue,
      IPv4.isAddress(ip)
    else { return nil }
    let phase = pod["status"]?["phase"]?.stringValue
    guard phase != "Succeeded", phase != "Failed" else { return nil }
    namespace = pod.metadata.namespace ?? "default"
    name = pod.metadata.name ?? ""
    self.ip = ip
    labels = pod.metadata.labels ?? [:]
    nodeName = pod["spec"]?["nodeName"]?.stringValue
    var ports: [String: [NamedPort]] = [:]
    for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
      for port in container["ports"]?.arrayValue ?? [] {
        guard let name = port["name"]?.stringValue, let number = port["containerPort"]?.intValue else { continue }
        ports[name, default: []].append(
          NamedPort(proto: (port["protocol"]?.stringValue ?? "TCP").lowercased(), port: Int(number)))
      }
    }
    namedPorts = ports
  }
}
