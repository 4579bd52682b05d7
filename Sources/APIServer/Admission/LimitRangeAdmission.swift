import KubeAPI

/// LimitRange admission: containers without requests or limits get the namespace's
/// `Container` defaults, and nothing may exceed a `max` or go below a `min`.
enum LimitRangeAdmission {
  static func apply(_ ranges: [JSONValue], to spec: inout JSONValue) -> [String] {
    var problems: [String] = []
    for range in ranges {
      for limit in range["spec"]?["limits"]?.arrayValue ?? [] where limit["type"]?.stringValue == "Container" {
        for list in ["initContainers", "containers"] {
          guard var containers = spec[list]?.arrayValue else { continue }
          for index in containers.indices {
            var resources = containers[index]["resources"] ?? .object([:])
            var limits = resources["limits"]?.objectValue ?? [:]
            var requests = resources["requests"]?.objectValue ?? [:]
            for (resource, value) in limit["default"]?.objectValue ?? [:] where limits[resource] == nil {
              limits[resource] = value
            }
            for (resource, value) in limit["defaultRequest"]?.objectValue ?? [:] where requests[resource] == nil {
              requests[resource] = limits[resource] ?? value
            }
            // An explicit limit without a request makes the request equal the limit, as upstream.
            for (resource, value) in limits where requests[resource] == nil { requests[resource] = value }
            let name = containers[index]["name"]?.stringValue ?? ""
            for (resource, bound) in limit["max"]?.objectValue ?? [:] {
              if let value = quantity(limits[resource]), let max = quantity(bound), value > max {
                problems.append("maximum \(resource) usage per Container is \(max), but limit is \(value)")
              } else if limits[resource] == nil {
                problems.append("container \(name) has no \(resource) limit but the namespace sets a maximum")
              }
            }
            for (resource, bound) in limit["min"]?.objectValue ?? [:] {
              if let value = quantity(requests[resource]), let min = quantity(bound), value < min {
                problems.append("minimum \(resource) usage per Container is \(min), but request is \(value)")
              }
            }
            if !limits.isEmpty { resources["limits"] = .object(limits) }
            if !requests.isEmpty { resources["requests"] = .object(requests) }
            containers[index]["resources"] = resources
          }
          spec[list] = .array(containers)
        }
      }
    }
    return problems
  }

  static func quantity(_ value: JSONValue?) -> Quantity? { Quantity(json: value) }
}
