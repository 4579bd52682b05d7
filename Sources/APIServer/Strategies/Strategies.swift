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
      strategy.defaults = { secret, _ in SecretStrategy.defaults(&secret) }
      strategy.validate = { secret, _, _ in SecretStrategy.validate(secret) }
    case ("", "ConfigMap"):
      strategy.validate = { configMap, _, _ in
        var errors: [FieldError] = []
        for field in ["data", "binaryData"] {
          for key in (configMap[field]?.objectValue ?? [:]).keys {
            for problem in NameRules.configMapKey(key) {
              errors.append(.invalid("\(field)[\(key)]", .string(key), problem))
            }
          }
        }
        return errors
      }
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
            values[field] =
              event["source"]?["component"]?.stringValue ?? event["reportingController"]?.stringValue ?? ""
          } else {
            values[field] = event[field]?.stringValue ?? ""
          }
        }
        return values
      }
    case ("", "ReplicationController"), ("apps", _), ("batch", _), ("policy", "PodDisruptionBudget"),
      ("autoscaling", _), ("networking.k8s.io", "Ingress"), ("", "PersistentVolumeClaim"),
      ("", "PersistentVolume"), ("", "ResourceQuota"), ("apiextensions.k8s.io", _),
      ("storage.k8s.io", "VolumeAttachment"):
      strategy.hasStatus = kind != "ControllerRevision"
      strategy.resetsStatusOnCreate = strategy.hasStatus
      strategy.tracksGeneration = true
      if WorkloadStrategy.kinds.contains(kind) { WorkloadStrategy.configure(&strategy, kind: kind) }
    case ("certificates.k8s.io", _):
      strategy.hasStatus = true
      strategy.resetsStatusOnCreate = true
      if kind == "CertificateSigningRequest" {
        // The requester is who sent the request, never what the body claims (approvers trust it).
        strategy.defaults = { csr, context in
          guard context.isCreate, let user = context.user else { return }
          csr["spec"]?["username"] = .string(user.name)
          csr["spec"]?["uid"] = user.uid.isEmpty ? nil : .string(user.uid)
          csr["spec"]?["groups"] = .array(user.groups.map(JSONValue.string))
          csr["spec"]?["extra"] =
            user.extra.isEmpty ? nil : .object(user.extra.mapValues { .array($0.map(JSONValue.string)) })
        }
        strategy.validate = { csr, old, _ in
          guard let old, csr["spec"] != old["spec"] else { return [] }
          return [.invalid("spec", csr["spec"] ?? .null, "field is immutable")]
        }
      }
    default: break
    }
    return strategy
  }
}

/// Secrets: `stringData` is write-only convenience, folded into base64 `data` as upstream does.
enum SecretStrategy {
  static func defaults(_ secret: inout JSONValue) {
    if secret["type"] == nil { secret["type"] = .string("Opaque") }
    guard let strings = secret["stringData"]?.objectValue else { return }
    var data = secret["data"]?.objectValue ?? [:]
    for (key, value) in strings {
      data[key] = .string(Base64.encode(Array((value.stringValue ?? "").utf8)))
    }
    secret["data"] = .object(data)
    secret["stringData"] = nil
  }

  static func validate(_ secret: JSONValue) -> [FieldError] {
    var errors: [FieldError] = []
    var total = 0
    for (key, value) in secret["data"]?.objectValue ?? [:] {
      for problem in NameRules.configMapKey(key) { errors.append(.invalid("data[\(key)]", .string(key), problem)) }
      guard let text = value.stringValue, let decoded = Base64.decode(text) else {
        errors.append(.invalid("data[\(key)]", value, "illegal base64 data"))
        continue
      }
      total += decoded.count
    }
    if total > 1024 * 1024 {
      errors.append(.tooLong("data", maxLength: 1024 * 1024))
    }
    return errors
  }
}

enum Base64 {
  static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
  static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map(Array.init) }
}
