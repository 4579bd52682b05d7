import Foundation
import KubeAPI

/// Kind-specific behaviour of the built-in resources.
enum Strategies {
  static func strategy(group: String, kind: String) -> ResourceStrategy {
    var strategy = ResourceStrategy()
    strategy.table = Tables.definition(group: group, kind: kind)
    switch (group, kind) {
    case ("", "Pod"): PodStrategy.configure(&strategy)
    case ("", "Service"): ServiceStrategy.configure(&strategy)
    case ("", "Namespace"):
      strategy.hasStatus = true
      strategy.resetsStatusOnCreate = true
      strategy.selectableFields = ["status.phase"]
      strategy.fields = { ["status.phase": $0["status"]?["phase"]?.stringValue ?? ""] }
      strategy.defaults = { object, _ in
        if object["status"]?["phase"] == nil { object["status"] = .object(["phase": .string("Active")]) }
        var spec = object["spec"] ?? .object([:])
        if spec["finalizers"] == nil { spec["finalizers"] = .array([.string("kubernetes")]) }
        object["spec"] = spec
        var labels = object["metadata"]?["labels"] ?? .object([:])
        labels["kubernetes.io/metadata.name"] = object["metadata"]?["name"]
        object["metadata"]?["labels"] = labels
      }
    case ("", "Node"):
      strategy.hasStatus = true
      strategy.selectableFields = ["spec.unschedulable"]
      strategy.fields = { ["spec.unschedulable": $0["spec"]?["unschedulable"]?.boolValue == true ? "true" : "false"] }
    case ("", "Secret"):
      strategy.selectableFields = ["type"]
      strategy.fields = { ["type": $0["type"]?.stringValue ?? "Opaque"] }
      strategy.defaults = { object, _ in if object["type"] == nil { object["type"] = .string("Opaque") } }
    case ("", "Event"), ("events.k8s.io", "Event"):
      let fields = [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type",
      ]
      strategy.selectableFields = fields
      strategy.fields = { event in
        var values: [String: String] = [:]
        let involved = event["involvedObject"] ?? event["regarding"]
        for field in fields {
          if field.hasPrefix("involvedObject.") {
            values[field] = involved?[String(field.dropFirst("involvedObject.".count))]?.stringValue ?? ""
          } else if field == "source" {
            values[field] = event["source"]?["component"]?.stringValue ?? event["reportingController"]?.stringValue ?? ""
          } else {
            values[field] = event[field]?.stringValue ?? ""
          }
        }
        return values
      }
    case ("", "ReplicationController"), ("apps", _), ("batch", _), ("policy", "PodDisruptionBudget"),
      ("autoscaling", _), ("networking.k8s.io", "Ingress"), ("", "PersistentVolumeClaim"),
      ("", "PersistentVolume"), ("", "ResourceQuota"), ("apiextensions.k8s.io", _), ("storage.k8s.io", "VolumeAttachment"):
      strategy.hasStatus = kind != "ControllerRevision"
      strategy.resetsStatusOnCreate = strategy.hasStatus
      strategy.tracksGeneration = true
    case ("certificates.k8s.io", _):
      strategy.hasStatus = true
      strategy.resetsStatusOnCreate = true
    default: break
    }
    return strategy
  }
}
