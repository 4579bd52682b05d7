import KubeAPI

/// The whole `skiff` table for one node: pod-network NAT, Services and NetworkPolicy, from
/// plain values. A pure function, so every feature is testable without root.
public enum NodeRuleset {
  public static func table(
    configuration: ProxyConfiguration, proxy: ProxySnapshot, policy: PolicySnapshot? = nil,
    tableName: String = NFTTable.defaultName
  ) -> NFTTable {
    var table = NFTTable(name: tableName)
    ProxyRules.render(proxy, configuration: configuration, into: &table)
    if let policy { PolicyRules.render(policy, nodeName: configuration.nodeName, into: &table) }
    return table
  }
}

extension ProxySnapshot {
  /// Reads informer contents: Services, EndpointSlices (grouped by their
  /// `kubernetes.io/service-name` label, so selector-less Services with user slices work too)
  /// and the hostPorts of pods bound to `nodeName`.
  public init(services: [JSONValue], endpointSlices: [JSONValue], pods: [JSONValue], nodeName: String) {
    var slicesByService: [String: [JSONValue]] = [:]
    for slice in endpointSlices {
      guard let service = slice.metadata.labels?["kubernetes.io/service-name"] else { continue }
      slicesByService["\(slice.metadata.namespace ?? "default")/\(service)", default: []].append(slice)
    }
    let parsed = services.compactMap(ProxiedService.init(json:))
    var endpoints: [String: [String: [ServiceEndpoint]]] = [:]
    for service in parsed {
      endpoints[service.key] = ServiceEndpoint.byPortName(slices: slicesByService[service.key] ?? [])
    }
    let hostPorts = pods.filter { $0["spec"]?["nodeName"]?.stringValue == nodeName }.flatMap(HostPortMapping.of)
    self.init(services: parsed, endpoints: endpoints, hostPorts: hostPorts)
  }
}

extension PolicySnapshot {
  /// Reads informer contents; Services whose cluster IP is a local service IP become
  /// pseudo-pods carrying their selector labels (see `PolicyRules`).
  public init(
    policies: [JSONValue], pods: [JSONValue], namespaces: [JSONValue], services: [JSONValue],
    localServiceIPs: Set<String>
  ) {
    var namespaceLabels: [String: [String: String]] = [:]
    for namespace in namespaces { namespaceLabels[namespace.metadata.name ?? ""] = namespace.metadata.labels ?? [:] }
    var local: [PolicyPod] = []
    for service in services {
      guard let ip = service["spec"]?["clusterIP"]?.stringValue, localServiceIPs.contains(ip) else { continue }
      let selector = service["spec"]?["selector"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
      local.append(
        PolicyPod(
          namespace: service.metadata.namespace ?? "default", name: "service/\(service.metadata.name ?? "")", ip: ip,
          labels: selector))
    }
    self.init(
      policies: policies.map(NetworkPolicySpec.init(json:)), pods: pods.compactMap(PolicyPod.init(json:)),
      namespaces: namespaceLabels, localServices: local)
  }
}
