import KubeAPI

/// ResourceQuota admission: a create that would take the namespace past a quota's `hard`
/// limits is refused with upstream's "exceeded quota" message.
enum ResourceQuotaAdmission {
  /// What one object adds to each quota resource name.
  static func usage(of object: JSONValue, plural: String, group: String) -> [String: Quantity] {
    var usage: [String: Quantity] = [:]
    let qualified = group.isEmpty ? plural : "\(plural).\(group)"
    usage["count/\(qualified)"] = Quantity(1)
    if group.isEmpty,
      [
        "pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "replicationcontrollers",
        "resourcequotas",
      ].contains(plural)
    {
      usage[plural] = Quantity(1)
    }
    if plural == "pods", group.isEmpty {
      let phase = object["status"]?["phase"]?.stringValue
      if phase == "Succeeded" || phase == "Failed" { return [:] }
      for container in object["spec"]?["containers"]?.arrayValue ?? [] {
        for (kind, prefix) in [("requests", "requests."), ("limits", "limits.")] {
          for (resource, value) in container["resources"]?[kind]?.objectValue ?? [:] {
            guard let amount = LimitRangeAdmission.quantity(value) else { continue }
            usage[prefix + resource, default: .zero] += amount
            if kind == "requests" { usage[resource, default: .zero] += amount }
          }
        }
      }
    }
    if plural == "services", group.isEmpty {
      let type = object["spec"]?["type"]?.stringValue
      if type == "LoadBalancer" { usage["services.loadbalancers"] = Quantity(1) }
      if type == "NodePort" || type == "LoadBalancer" {
        usage["services.nodeports"] = Quantity(Int64(object["spec"]?["ports"]?.arrayValue?.count ?? 0))
      }
    }
    if plural == "persistentvolumeclaims", group.isEmpty,
      let storage = LimitRangeAdmission.quantity(object["spec"]?["resources"]?["requests"]?["storage"])
    {
      usage["requests.storage"] = storage
    }
    return usage
  }

  /// The refusal for the first quota the new object would exceed, given current objects.
  static func check(
    quotas: [JSONValue], adding object: JSONValue, existing: [JSONValue], plural: String, group: String
  ) -> String? {
    let added = usage(of: object, plural: plural, group: group)
    for quota in quotas {
      let name = quota["metadata"]?["name"]?.stringValue ?? ""
      let hard = quota["spec"]?["hard"]?.objectValue ?? [:]
      let relevant = hard.keys.filter { added[$0] != nil }.sorted()
      guard !relevant.isEmpty else { continue }
      var used: [String: Quantity] = [:]
      for item in existing {
        for (resource, amount) in usage(of: item, plural: plural, group: group) where relevant.contains(resource) {
          used[resource, default: .zero] += amount
        }
      }
      var exceeded: [(String, Quantity, Quantity, Quantity)] = []
      for resource in relevant {
        guard let limit = LimitRangeAdmission.quantity(hard[resource]), let request = added[resource] else { continue }
        let current = used[resource] ?? .zero
        if current + request > limit { exceeded.append((resource, request, current, limit)) }
      }
      if !exceeded.isEmpty {
        func list(_ pick: ((String, Quantity, Quantity, Quantity)) -> Quantity) -> String {
          exceeded.map { "\($0.0)=\(pick($0))" }.joined(separator: ",")
        }
        return "exceeded quota: \(name), requested: \(list { $0.1 }), used: \(list { $0.2 }), limited: \(list { $0.3 })"
      }
    }
    return nil
  }
}
