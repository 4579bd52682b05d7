import Synchronization

/// Answers names of the cluster zone (`<svc>.<ns>.svc.<domain>`, `<ip>.<ns>.pod.<domain>`,
/// SRV, headless endpoints) and reverse names of cluster addresses, the way CoreDNS's
/// `kubernetes` plugin does with `pods insecure` and reverse-zone fallthrough.
struct ClusterZone: Sendable {
  let domain: DNSName
  let domainLabelCount: Int
  let records: ClusterRecords
  let ttl: UInt32
  /// Addresses `ns.dns.<domain>` resolves to: the cluster DNS Service IP.
  let nameServerAddresses: [IPAddress]
  let serial: UInt32

  /// What the zone says about a question; `external` asks the caller to resolve an
  /// ExternalName target outside the zone and append it.
  struct Answer: Sendable {
    var code = DNSResponseCode.noError
    var answers: [DNSRecord] = []
    var authorities: [DNSRecord] = []
    var additionals: [DNSRecord] = []
    var external: DNSName?
  }

  init(domain: DNSName, records: ClusterRecords, ttl: UInt32, nameServerAddresses: [IPAddress], serial: UInt32) {
    self.domain = domain
    self.domainLabelCount = domain.labelCount
    self.records = records
    self.ttl = ttl
    self.nameServerAddresses = nameServerAddresses
    self.serial = serial
  }

  var nameServer: DNSName { domain.prepending("dns")!.prepending("ns")! }

  var soa: DNSRecord {
    DNSRecord(
      name: domain, type: .soa, ttl: ttl,
      data: .soa(
        primary: nameServer, mailbox: domain.prepending("hostmaster")!, serial: serial, refresh: 7200,
        retry: 1800, expire: 86400, minimum: ttl))
  }

  /// nil when the name is not the zone's (or a reverse name of no cluster address): forward it.
  func resolve(_ name: DNSName, _ type: DNSType, depth: Int = 0) -> Answer? {
    if name.isSubdomain(of: domain) {
      let labels = name.labels
      var answer = zoneAnswer(name, Array(labels.dropLast(domainLabelCount).reversed()), type, depth: depth)
      if answer.answers.isEmpty && answer.external == nil { answer.authorities = [soa] }
      return answer
    }
    guard type == .ptr, let address = IPAddress(reverseLabels: name.labels) else { return nil }
    let targets = reverse(address)
    if targets.isEmpty { return nil }
    return Answer(answers: targets.map { DNSRecord(name: name, type: .ptr, ttl: ttl, data: .name($0)) })
  }

  /// `path` holds the labels below the zone, from the zone downwards ("svc", ns, service, …).
  private func zoneAnswer(_ name: DNSName, _ path: [Substring], _ type: DNSType, depth: Int) -> Answer {
    let noData = Answer()
    let nxDomain = Answer(code: .nameError)
    guard let first = path.first else {
      switch type {
      case .soa: return Answer(answers: [DNSRecord(name: name, type: .soa, ttl: ttl, data: soa.data)])
      case .ns:
        return Answer(
          answers: [DNSRecord(name: name, type: .ns, ttl: ttl, data: .name(nameServer))],
          additionals: nameServerAddresses.map { .a(nameServer, $0, ttl: ttl) })
      default: return noData
      }
    }
    switch first {
    case "svc":
      return path.count == 1 ? noData : serviceAnswer(name, path, type, depth: depth)
    case "pod":
      guard path.count == 3 else { return path.count < 3 ? noData : nxDomain }
      guard let address = Self.podAddress(path[2]) else { return nxDomain }
      return addresses(name, [address], type)
    case "dns":
      if path.count == 1 { return noData }
      guard path.count == 2, path[1] == "ns" else { return nxDomain }
      return addresses(name, nameServerAddresses, type)
    default:
      return nxDomain
    }
  }

  private func serviceAnswer(_ name: DNSName, _ path: [Substring], _ type: DNSType, depth: Int) -> Answer {
    let namespace = String(path[1])
    guard path.count > 2 else {
      let exists = records.state.withLock { $0.namespaces.contains(namespace) || $0.serviceCount[namespace] != nil }
      return exists ? Answer() : Answer(code: .nameError)
    }
    let key = ClusterRecords.Key(namespace: namespace, name: String(path[2]))
    let (service, slices) = records.state.withLock { state in
      (state.services[key], state.services[key] == nil ? nil : state.slices[key].map { Array($0.values) })
    }
    guard let service else { return Answer(code: .nameError) }
    switch path.count {
    case 3:
      return serviceRecords(name, service, slices ?? [], type, depth: depth)
    case 4 where path[3].hasPrefix("_"):
      let proto = path[3].dropFirst()
      return service.ports.contains { $0.proto == proto } ? Answer() : Answer(code: .nameError)
    case 4:
      guard case .headless = service.kind else { return Answer(code: .nameError) }
      let matching = readyEndpoints(slices ?? []).filter { endpoint in
        Self.hostname(endpoint).map { $0 == path[3] } ?? false
      }
      if matching.isEmpty { return Answer(code: .nameError) }
      return addresses(name, matching.flatMap(\.addresses), type)
    case 5 where path[3].hasPrefix("_") && path[4].hasPrefix("_"):
      return portAnswer(
        name, service, slices ?? [], proto: path[3].dropFirst(), port: path[4].dropFirst(), type)
    default:
      return Answer(code: .nameError)
    }
  }

  private func serviceRecords(
    _ name: DNSName, _ service: ClusterRecords.Service, _ slices: [ClusterRecords.Slice],
    _ type: DNSType, depth: Int
  ) -> Answer {
    switch service.kind {
    case .externalName(let target):
      guard let target = try? DNSName(target) else { return Answer(code: .serverFailure) }
      var answer = Answer(answers: [DNSRecord(name: name, type: .cname, ttl: ttl, data: .name(target))])
      if type == .cname { return answer }
      if target.isSubdomain(of: domain) {
        // Chase in-zone targets here, as CoreDNS does; stop at a CNAME loop.
        guard depth < 8, let chased = resolve(target, type, depth: depth + 1) else { return answer }
        answer.answers += chased.answers
        answer.additionals += chased.additionals
        if chased.code == .nameError { answer.code = .nameError }
      } else {
        answer.external = target
      }
      return answer
    case .clusterIP(let ips):
      if type == .srv {
        let canonical = serviceName(service)
        return srvAnswer(name, service.ports.map { SRVTarget(port: $0.port, target: canonical, addresses: ips) })
      }
      return addresses(name, ips, type)
    case .headless:
      let endpoints = readyEndpoints(slices)
      if type == .srv {
        let canonical = serviceName(service)
        var targets: [SRVTarget] = []
        for slice in slices {
          for endpoint in slice.endpoints where endpoint.ready {
            guard let target = endpointName(endpoint, canonical) else { continue }
            for port in slice.ports {
              targets.append(SRVTarget(port: port.port, target: target, addresses: endpoint.addresses))
            }
          }
        }
        return srvAnswer(name, targets)
      }
      return addresses(name, Self.unique(endpoints.flatMap(\.addresses)), type)
    }
  }

  private func portAnswer(
    _ name: DNSName, _ service: ClusterRecords.Service, _ slices: [ClusterRecords.Slice],
    proto: Substring, port: Substring, _ type: DNSType
  ) -> Answer {
    let matches = { (candidate: ClusterRecords.Port) in candidate.proto == proto && candidate.name == port }
    guard service.ports.contains(where: matches) else { return Answer(code: .nameError) }
    guard type == .srv || type == .any else { return Answer() }
    let canonical = serviceName(service)
    switch service.kind {
    case .externalName(let target):
      guard let target = try? DNSName(target) else { return Answer(code: .serverFailure) }
      return srvAnswer(
        name, service.ports.filter(matches).map { SRVTarget(port: $0.port, target: target, addresses: []) })
    case .clusterIP(let ips):
      return srvAnswer(
        name, service.ports.filter(matches).map { SRVTarget(port: $0.port, target: canonical, addresses: ips) })
    case .headless:
      var targets: [SRVTarget] = []
      for slice in slices {
        for port in slice.ports where matches(port) {
          for endpoint in slice.endpoints where endpoint.ready {
            guard let target = endpointName(endpoint, canonical) else { continue }
            targets.append(SRVTarget(port: port.port, target: target, addresses: endpoint.addresses))
          }
        }
      }
      return srvAnswer(name, targets)
    }
  }

  struct SRVTarget {
    var port: UInt16
    var target: DNSName
    var addresses: [IPAddress]
  }

  /// SRV records with priority 0 and equal weights; the targets' addresses go in additional.
  private func srvAnswer(_ name: DNSName, _ targets: [SRVTarget]) -> Answer {
    guard !targets.isEmpty else { return Answer() }
    let weight = UInt16(max(1, 100 / targets.count))
    var answer = Answer()
    var seen = Set<DNSName>()
    for target in targets {
      answer.answers.append(
        DNSRecord(
          name: name, type: .srv, ttl: ttl,
          data: .srv(priority: 0, weight: weight, port: target.port, target: target.target)))
      if seen.insert(target.target).inserted {
        answer.additionals += target.addresses.map { .a(target.target, $0, ttl: ttl) }
      }
    }
    return answer
  }

  /// A/AAAA (or both for ANY) of `addresses`; NODATA when none has the asked family.
  private func addresses(_ name: DNSName, _ addresses: [IPAddress], _ type: DNSType) -> Answer {
    let wanted = addresses.filter { type == .any || (type == .a && $0.isIPv4) || (type == .aaaa && !$0.isIPv4) }
    return Answer(answers: wanted.map { .a(name, $0, ttl: ttl) })
  }

  private func readyEndpoints(_ slices: [ClusterRecords.Slice]) -> [ClusterRecords.Endpoint] {
    slices.flatMap { $0.endpoints.filter(\.ready) }
  }

  func serviceName(_ service: ClusterRecords.Service) -> DNSName {
    DNSName(labels: [Substring(service.name), Substring(service.namespace), "svc"])?.appending(domain) ?? domain
  }

  private func endpointName(_ endpoint: ClusterRecords.Endpoint, _ service: DNSName) -> DNSName? {
    Self.hostname(endpoint).flatMap { service.prepending(Substring($0)) }
  }

  /// The endpoint's hostname, else its first address with dots/colons as dashes (CoreDNS).
  static func hostname(_ endpoint: ClusterRecords.Endpoint) -> String? {
    if let hostname = endpoint.hostname { return hostname }
    return endpoint.addresses.first.map { dashed($0) }
  }

  static func dashed(_ address: IPAddress) -> String {
    String(address.description.map { $0 == "." || $0 == ":" ? "-" : $0 })
  }

  /// `1-2-3-4` or `fd00--1` as a pod name's address.
  static func podAddress(_ label: Substring) -> IPAddress? {
    let dots = label.filter { $0 == "-" }.count
    if dots == 3, let address = IPAddress(label.replacing("-", with: ".")) { return address }
    return IPAddress(label.replacing("-", with: ":"))
  }

  static func unique(_ addresses: [IPAddress]) -> [IPAddress] {
    var seen = Set<IPAddress>()
    return addresses.filter { seen.insert($0).inserted }
  }

  /// Names of a cluster address: Services' ClusterIPs, then endpoints (CoreDNS order).
  func reverse(_ address: IPAddress) -> [DNSName] {
    records.state.withLock { state in
      var names: [DNSName] = []
      for service in state.services.values {
        if case .clusterIP(let ips) = service.kind, ips.contains(address) { names.append(serviceName(service)) }
      }
      if !names.isEmpty { return names }
      for (key, slices) in state.slices {
        guard let service = state.services[key] else { continue }
        for slice in slices.values {
          for endpoint in slice.endpoints where endpoint.addresses.contains(address) {
            if let name = endpointName(endpoint, serviceName(service)), !names.contains(name) { names.append(name) }
          }
        }
      }
      return names
    }
  }
}
