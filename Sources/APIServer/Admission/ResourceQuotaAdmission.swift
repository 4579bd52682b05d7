import KubeAPI

/// ResourceQuota admission: a create that would take the namespace past a quota's `hard`
/// limits is refused with upstream's "exceeded quota" message.
enum ResourceQuotaAdmission {
  /// The refusal for the first quota the new object would exceed, given current objects.
  static func check(
    quotas: [JSONValue], adding object: JSONValue, existing: [JSONValue], plural: String, group: String
  ) -> String? {
    let added = QuotaUsage.of(object, plural: plural, group: group)
    for quota in quotas {
      let scopes = QuotaScopes(quota: quota)
      guard scopes.tracks(object, plural: plural, group: group) else { continue }
      let name = quota["metadata"]?["name"]?.stringValue ?? ""
      let hard = quota["spec"]?["hard"]?.objectValue ?? [:]
      let relevant = hard.keys.filter { added[$0] != nil }.sorted()
      guard !relevant.isEmpty else { continue }
      var used: [String: Quantity] = [:]
      for item in existing where scopes.tracks(item, plural: plural, group: group) {
        for (resource, amount) in QuotaUsage.of(item, plural: plural, group: group) where relevant.contains(resource) {
          used[resource, default: .zero] += amount
        }
      }
      var exceeded: [(String, Quantity, Quantity, Quantity)] = []
      for resource in relevant {
        guard let limit = Quantity(json: hard[resource]), let request = added[resource] else { continue }
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
