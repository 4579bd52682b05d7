import Foundation
import KubeAPI

/// The columns users know from `kubectl get` for each built-in kind.
enum Tables {
  static func definition(group: String, kind: String) -> TableDefinition {
    switch (group, kind) {
    case ("", "Pod"): return pod
    case ("", "Namespace"): return columns(["Status", "Age"]) { [$0["status"]?["phase"] ?? .string(""), age($0, $1)] }
    case ("", "ConfigMap"):
      return columns(["Data", "Age"]) { [.int(count($0["data"]) + count($0["binaryData"])), age($0, $1)] }
    case ("", "Secret"):
      return columns(["Type", "Data", "Age"]) { [$0["type"] ?? .string(""), .int(count($0["data"])), age($0, $1)] }
    case ("", "ServiceAccount"): return columns(["Secrets", "Age"]) { [.int(count($0["secrets"])), age($0, $1)] }
    case ("", "Service"): return service
    case ("", "Node"): return node
    case ("", "Endpoints"):
      return columns(["Endpoints", "Age"]) { [.string(endpoints($0)), age($0, $1)] }
    case ("", "Event"):
      return TableDefinition(
        columns: [
          TableColumn(name: "Last Seen"), TableColumn(name: "Type"), TableColumn(name: "Reason"),
          TableColumn(name: "Object"), TableColumn(name: "Message"),
        ]
      ) { event, now in
        let involved = event["involvedObject"]
        return [
          .string(Age.since(event["lastTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue, now: now)),
          event["type"] ?? .string(""), event["reason"] ?? .string(""),
          .string("\((involved?["kind"]?.stringValue ?? "").lowercased())/\(involved?["name"]?.stringValue ?? "")"),
          event["message"] ?? .string(""),
        ]
      }
    case ("apps", "Deployment"):
      return columns(["Ready", "Up-to-date", "Available", "Age"], wide: ["Containers", "Images", "Selector"]) {
        d, now in
        let status = d["status"]
        return [
          .string("\(status?["readyReplicas"]?.intValue ?? 0)/\(d["spec"]?["replicas"]?.intValue ?? 1)"),
          .int(status?["updatedReplicas"]?.intValue ?? 0), .int(status?["availableReplicas"]?.intValue ?? 0),
          age(d, now),
        ] + template(d) + [.string(selector(d["spec"]?["selector"]))]
      }
    case ("apps", "ReplicaSet"), ("", "ReplicationController"):
      return columns(["Desired", "Current", "Ready", "Age"], wide: ["Containers", "Images", "Selector"]) { r, now in
        let status = r["status"]
        return [
          .int(r["spec"]?["replicas"]?.intValue ?? 1), .int(status?["replicas"]?.intValue ?? 0),
          .int(status?["readyReplicas"]?.intValue ?? 0), age(r, now),
        ] + template(r) + [.string(selector(r["spec"]?["selector"]))]
      }
    case ("apps", "StatefulSet"):
      return columns(["Ready", "Age"], wide: ["Containers", "Images"]) { s, now in
        [
          .string("\(s["status"]?["readyReplicas"]?.intValue ?? 0)/\(s["spec"]?["replicas"]?.intValue ?? 1)"),
          age(s, now),
        ]
          + template(s)
      }
    case ("apps", "DaemonSet"):
      return columns(
        ["Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age"],
        wide: ["Containers", "Images", "Selector"]
      ) { d, now in
        let status = d["status"]
        let nodeSelector = (d["spec"]?["template"]?["spec"]?["nodeSelector"]?.objectValue ?? [:])
          .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ",")
        return [
          .int(status?["desiredNumberScheduled"]?.intValue ?? 0),
          .int(status?["currentNumberScheduled"]?.intValue ?? 0),
          .int(status?["numberReady"]?.intValue ?? 0), .int(status?["updatedNumberScheduled"]?.intValue ?? 0),
          .int(status?["numberAvailable"]?.intValue ?? 0), .string(nodeSelector.isEmpty ? "<none>" : nodeSelector),
          age(d, now),
        ] + template(d) + [.string(selector(d["spec"]?["selector"]))]
      }
    case ("batch", "Job"):
      return columns(["Status", "Completions", "Duration", "Age"], wide: ["Containers", "Images", "Selector"]) {
        j, now in
        let status = j["status"]
        let conditions = status?["conditions"]?.arrayValue ?? []
        let state =
          conditions.first {
            ["Complete", "Failed"].contains($0["type"]?.stringValue ?? "") && $0["status"] == .string("True")
          }?["type"]?
          .stringValue ?? "Running"
        let start = status?["startTime"]?.stringValue.flatMap(Timestamp.parse)
        let end = status?["completionTime"]?.stringValue.flatMap(Timestamp.parse) ?? now
        return [
          .string(state),
          .string("\(status?["succeeded"]?.intValue ?? 0)/\(j["spec"]?["completions"]?.intValue ?? 1)"),
          .string(start.map { Age.human(end.timeIntervalSince($0)) } ?? ""), age(j, now),
        ] + template(j) + [.string(selector(j["spec"]?["selector"]))]
      }
    case ("batch", "CronJob"):
      return columns(["Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"]) { c, now in
        let spec = c["spec"]
        return [
          spec?["schedule"] ?? .string(""), .string(spec?["timeZone"]?.stringValue ?? "<none>"),
          .bool(spec?["suspend"]?.boolValue ?? false), .int(count(c["status"]?["active"])),
          .string(c["status"]?["lastScheduleTime"]?.stringValue.map { Age.since($0, now: now) } ?? "<none>"),
          age(c, now),
        ]
      }
    case ("coordination.k8s.io", "Lease"):
      return columns(["Holder", "Age"]) { [$0["spec"]?["holderIdentity"] ?? .string(""), age($0, $1)] }
    case ("", "PersistentVolumeClaim"):
      return columns(["Status", "Volume", "Capacity", "Access Modes", "StorageClass", "Age"]) { c, now in
        [
          c["status"]?["phase"] ?? .string(""), c["spec"]?["volumeName"] ?? .string(""),
          c["status"]?["capacity"]?["storage"] ?? .string(""),
          .string(
            (c["spec"]?["accessModes"]?.arrayValue ?? []).compactMap(\.stringValue).map(accessMode).joined(
              separator: ",")),
          c["spec"]?["storageClassName"] ?? .string(""), age(c, now),
        ]
      }
    case ("certificates.k8s.io", "CertificateSigningRequest"):
      return columns(["Age", "SignerName", "Requestor", "RequestedDuration", "Condition"]) { csr, now in
        let spec = csr["spec"]
        return [
          age(csr, now), spec?["signerName"] ?? .string(""), spec?["username"] ?? .string(""),
          .string(spec?["expirationSeconds"]?.intValue.map(shortDuration) ?? "<none>"),
          .string(csrCondition(csr)),
        ]
      }
    case ("apiextensions.k8s.io", "CustomResourceDefinition"):
      return TableDefinition(columns: [TableColumn(name: "Created At", type: "date")]) { crd, _ in
        [crd["metadata"]?["creationTimestamp"] ?? .string("")]
      }
    default: return .nameAndAge
    }
  }

  static func columns(
    _ names: [String], wide: [String] = [], cells: @escaping @Sendable (JSONValue, Date) -> [JSONValue]
  ) -> TableDefinition {
    TableDefinition(
      columns: names.map { TableColumn(name: $0) } + wide.map { TableColumn(name: $0, priority: 1) }, cells: cells)
  }

  /// kubectl's CONDITION: the condition types, plus Issued once a certificate is there; Pending before either.
  static func csrCondition(_ csr: JSONValue) -> String {
    var types = (csr["status"]?["conditions"]?.arrayValue ?? []).compactMap { condition -> String? in
      condition["status"]?.stringValue == "False" ? nil : condition["type"]?.stringValue
    }
    if csr["status"]?["certificate"]?.stringValue?.isEmpty == false { types.append("Issued") }
    return types.isEmpty ? "Pending" : types.joined(separator: ",")
  }

  static func shortDuration(_ seconds: Int64) -> String {
    if seconds < 120 { return "\(seconds)s" }
    if seconds < 3 * 3600 { return "\(seconds / 60)m" }
    if seconds < 48 * 3600 { return "\(seconds / 3600)h" }
    return "\(seconds / 86400)d"
  }

  static func age(_ object: JSONValue, _ now: Date) -> JSONValue {
    .string(Age.since(object["metadata"]?["creationTimestamp"]?.stringValue, now: now))
  }

  static func count(_ value: JSONValue?) -> Int64 {
    switch value {
    case .object(let members): Int64(members.count)
    case .array(let items): Int64(items.count)
    default: 0
    }
  }

  static func template(_ object: JSONValue) -> [JSONValue] {
    let containers = object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
    return [
      .string(containers.compactMap { $0["name"]?.stringValue }.joined(separator: ",")),
      .string(containers.compactMap { $0["image"]?.stringValue }.joined(separator: ",")),
    ]
  }

  /// A selector as `kubectl get -o wide` shows it; a plain label map (Services) works too.
  static func selector(_ selector: JSONValue?) -> String {
    guard let selector else { return "<none>" }
    let object =
      selector["matchLabels"] != nil || selector["matchExpressions"] != nil
      ? selector : .object(["matchLabels": selector])
    let text = (try? LabelSelector(object: object))?.description ?? ""
    return text.isEmpty ? "<none>" : text
  }

  static func accessMode(_ mode: String) -> String {
    ["ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"][mode] ?? mode
  }

  static func endpoints(_ endpoints: JSONValue) -> String {
    var list: [String] = []
    for subset in endpoints["subsets"]?.arrayValue ?? [] {
      let ports = (subset["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
      for address in subset["addresses"]?.arrayValue ?? [] {
        let ip = address["ip"]?.stringValue ?? ""
        if ports.isEmpty { list.append(ip) } else { list += ports.map { "\(ip):\($0)" } }
      }
    }
    if list.isEmpty { return "<none>" }
    return list.count > 3
      ? list.prefix(3).joined(separator: ",") + " + \(list.count - 3) more..." : list.joined(separator: ",")
  }
}
