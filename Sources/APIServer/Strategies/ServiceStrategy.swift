import KubeAPI

/// Services: defaults, ClusterIP and NodePort allocation, immutable clusterIP.
enum ServiceStrategy {
  static func configure(_ strategy: inout ResourceStrategy) {
    strategy.hasStatus = true
    strategy.resetsStatusOnCreate = true
    strategy.defaults = { service, context in
      var spec = service["spec"] ?? .object([:])
      let type = spec["type"]?.stringValue ?? "ClusterIP"
      if spec["type"] == nil { spec["type"] = .string("ClusterIP") }
      if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = .string("None") }
      if type != "ExternalName" {
        if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = .string("Cluster") }
        if spec["ipFamilies"] == nil { spec["ipFamilies"] = .array([.string("IPv4")]) }
        if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = .string("SingleStack") }
      }
      if type == "NodePort" || type == "LoadBalancer", spec["externalTrafficPolicy"] == nil {
        spec["externalTrafficPolicy"] = .string("Cluster")
      }
      if var ports = spec["ports"]?.arrayValue {
        for index in ports.indices {
          if ports[index]["protocol"] == nil { ports[index]["protocol"] = .string("TCP") }
          if ports[index]["targetPort"] == nil, let port = ports[index]["port"] { ports[index]["targetPort"] = port }
        }
        spec["ports"] = .array(ports)
      }
      service["spec"] = spec
      if context.isCreate { service["status"] = .object(["loadBalancer": .object([:])]) }
      try context.allocator?.allocate(&service, isCreate: context.isCreate)
    }
    strategy.validate = { service, old, _ in
      var errors: [FieldError] = []
      let spec = service["spec"] ?? .null
      let type = spec["type"]?.stringValue ?? "ClusterIP"
      let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"]
      if !types.contains(type) { errors.append(.notSupported("spec.type", .string(type), types)) }
      let ports = spec["ports"]?.arrayValue ?? []
      let headless = spec["clusterIP"]?.stringValue == "None"
      if ports.isEmpty && type != "ExternalName" && !headless { errors.append(.required("spec.ports", "")) }
      var names: Set<String> = []
      for (index, port) in ports.enumerated() {
        let number = port["port"]?.intValue ?? 0
        if !(1...65535).contains(number) {
          errors.append(
            .invalid("spec.ports[\(index)].port", port["port"] ?? .int(0), "must be between 1 and 65535, inclusive"))
        }
        let name = port["name"]?.stringValue ?? ""
        if ports.count > 1 && name.isEmpty { errors.append(.required("spec.ports[\(index)].name", "")) }
        if !name.isEmpty && !names.insert(name).inserted {
          errors.append(.duplicate("spec.ports[\(index)].name", .string(name)))
        }
        if let proto = port["protocol"]?.stringValue, !["TCP", "UDP", "SCTP"].contains(proto) {
          errors.append(.notSupported("spec.ports[\(index)].protocol", .string(proto), ["SCTP", "TCP", "UDP"]))
        }
      }
      if type == "ExternalName", (spec["externalName"]?.stringValue ?? "").isEmpty {
        errors.append(.required("spec.externalName", ""))
      }
      if let old, let oldIP = old["spec"]?["clusterIP"]?.stringValue, !oldIP.isEmpty,
        let newIP = spec["clusterIP"]?.stringValue, newIP != oldIP, type != "ExternalName"
      {
        errors.append(.invalid("spec.clusterIPs[0]", .string(newIP), "may not change once set"))
      }
      return errors
    }
  }
}
