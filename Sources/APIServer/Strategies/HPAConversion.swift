import KubeAPI

/// autoscaling/v1 HorizontalPodAutoscalers are stored as autoscaling/v2: v1's single CPU
/// target maps to a v2 Resource metric, as upstream's conversion does.
enum HPAConversion {
  static func toV2(_ v1: JSONValue) -> JSONValue {
    var object = v1
    object["apiVersion"] = .string("autoscaling/v2")
    if var spec = object["spec"] {
      if let percent = spec["targetCPUUtilizationPercentage"] {
        spec["metrics"] = .array([
          cpuMetric(target: .object(["type": .string("Utilization"), "averageUtilization": percent]))
        ])
      }
      spec["targetCPUUtilizationPercentage"] = nil
      object["spec"] = spec
    }
    if var status = object["status"] {
      if let current = status["currentCPUUtilizationPercentage"] {
        status["currentMetrics"] = .array([
          .object([
            "type": .string("Resource"),
            "resource": .object(["name": .string("cpu"), "current": .object(["averageUtilization": current])]),
          ])
        ])
      }
      status["currentCPUUtilizationPercentage"] = nil
      object["status"] = status
    }
    return object
  }

  static func toV1(_ v2: JSONValue) -> JSONValue {
    var object = v2
    object["apiVersion"] = .string("autoscaling/v1")
    if var spec = object["spec"] {
      let cpu = (spec["metrics"]?.arrayValue ?? []).first { isCPU($0) }
      if let percent = cpu?["resource"]?["target"]?["averageUtilization"] {
        spec["targetCPUUtilizationPercentage"] = percent
      }
      spec["metrics"] = nil
      spec["behavior"] = nil
      object["spec"] = spec
    }
    if var status = object["status"] {
      let cpu = (status["currentMetrics"]?.arrayValue ?? []).first { isCPU($0) }
      if let percent = cpu?["resource"]?["current"]?["averageUtilization"] {
        status["currentCPUUtilizationPercentage"] = percent
      }
      status["currentMetrics"] = nil
      status["conditions"] = nil
      object["status"] = status
    }
    return object
  }

  private static func cpuMetric(target: JSONValue) -> JSONValue {
    .object(["type": .string("Resource"), "resource": .object(["name": .string("cpu"), "target": target])])
  }

  private static func isCPU(_ metric: JSONValue) -> Bool {
    metric["type"]?.stringValue == "Resource" && metric["resource"]?["name"]?.stringValue == "cpu"
  }
}
