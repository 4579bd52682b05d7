/// What an object counts against ResourceQuota `hard` limits (`pods`, `requests.cpu`,
/// `count/deployments.apps`…): read by quota admission and by the quota controller's status.
public enum QuotaUsage {
  /// What one object adds to each quota resource name.
  public static func of(_ object: JSONValue, plural: String, group: String) -> [String: Quantity] {
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
            guard let amount = Quantity(json: value) else { continue }
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
      let storage = Quantity(json: object["spec"]?["resources"]?["requests"]?["storage"])
    {
      usage["requests.storage"] = storage
    }
    return usage
  }

}

extension Quantity {
  /// A quantity written as a JSON string ("500m") or number.
  public init?(json value: JSONValue?) {
    switch value {
    case .string(let text):
      guard let parsed = try? Quantity(parsing: text) else { return nil }
      self = parsed
    case .int(let number): self.init(number)
    default: return nil
    }
  }
}
