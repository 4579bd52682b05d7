import Foundation
import KubeAPI

extension Tables {
  static let pod = columns(
    ["Ready", "Status", "Restarts", "Age"], wide: ["IP", "Node", "Nominated Node", "Readiness Gates"]
  ) { pod, now in
    let status = pod["status"]
    let statuses = status?["containerStatuses"]?.arrayValue ?? []
    let total = pod["spec"]?["containers"]?.arrayValue?.count ?? 0
    let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
    let restarts = statuses.reduce(Int64(0)) { $0 + ($1["restartCount"]?.intValue ?? 0) }
    var reason = status?["reason"]?.stringValue ?? status?["phase"]?.stringValue ?? "Pending"
    for container in statuses {
      if let waiting = container["state"]?["waiting"]?["reason"]?.stringValue, !waiting.isEmpty {
        reason = waiting
      } else if let terminated = container["state"]?["terminated"] {
        reason = terminated["reason"]?.stringValue ?? "Completed"
      }
    }
    if pod["metadata"]?["deletionTimestamp"] != nil { reason = "Terminating" }
    let gates = pod["spec"]?["readinessGates"]?.arrayValue ?? []
    return [
      .string("\(ready)/\(total)"), .string(reason), .int(restarts), age(pod, now),
      .string(status?["podIP"]?.stringValue ?? "<none>"), .string(pod["spec"]?["nodeName"]?.stringValue ?? "<none>"),
      .string(status?["nominatedNodeName"]?.stringValue ?? "<none>"),
      .string(gates.isEmpty ? "<none>" : "\(gates.count)"),
    ]
  }

  static let service = columns(["Type", "Cluster-IP", "External-IP", "Port(s)", "Age"], wide: ["Selector"]) {
    svc, now in
    let spec = svc["spec"]
    let type = spec?["type"]?.stringValue ?? "ClusterIP"
    let ingress = (svc["status"]?["loadBalancer"]?["ingress"]?.arrayValue ?? []).compactMap {
      $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue
    }
    let externalIPs = (spec?["externalIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
    var external = (ingress + externalIPs).joined(separator: ",")
    if external.isEmpty {
      external =
        type == "LoadBalancer"
        ? "<pending>" : type == "ExternalName" ? (spec?["externalName"]?.stringValue ?? "") : "<none>"
    }
    let ports = (spec?["ports"]?.arrayValue ?? []).map { port -> String in
      let number = port["port"]?.intValue ?? 0
      let proto = port["protocol"]?.stringValue ?? "TCP"
      if let nodePort = port["nodePort"]?.intValue { return "\(number):\(nodePort)/\(proto)" }
      return "\(number)/\(proto)"
    }
    return [
      .string(type), .string(spec?["clusterIP"]?.stringValue ?? "<none>"), .string(external),
      .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age(svc, now),
      .string(selector(spec?["selector"])),
    ]
  }

  static let node = columns(
    ["Status", "Roles", "Age", "Version"],
    wide: ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]
  ) { node, now in
    let conditions = node["status"]?["conditions"]?.arrayValue ?? []
    let ready = conditions.first { $0["type"]?.stringValue == "Ready" }
    var status = ready?["status"]?.stringValue == "True" ? "Ready" : (ready == nil ? "Unknown" : "NotReady")
    if node["spec"]?["unschedulable"]?.boolValue == true { status += ",SchedulingDisabled" }
    let roles = (node["metadata"]?["labels"]?.objectValue ?? [:]).keys
      .filter { $0.hasPrefix("node-role.kubernetes.io/") }.map {
        String($0.dropFirst("node-role.kubernetes.io/".count))
      }
      .sorted()
    let addresses = node["status"]?["addresses"]?.arrayValue ?? []
    func address(_ type: String) -> String {
      addresses.first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
    }
    let info = node["status"]?["nodeInfo"]
    return [
      .string(status), .string(roles.isEmpty ? "<none>" : roles.joined(separator: ",")), age(node, now),
      info?["kubeletVersion"] ?? .string(""), .string(address("InternalIP")), .string(address("ExternalIP")),
      info?["osImage"] ?? .string(""), info?["kernelVersion"] ?? .string(""),
      info?["containerRuntimeVersion"] ?? .string(""),
    ]
  }
}
