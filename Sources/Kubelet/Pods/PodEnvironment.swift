import Foundation
import KubeAPI
import KubeClient

/// Resolves a container's environment as the kubelet does: service links first, then envFrom,
/// then env in order, each value expanding `$(VAR)` references to variables defined before it.
struct PodEnvironment: Sendable {
  let client: KubeClient

  func resolve(_ container: JSONValue, pod: JSONValue, hostIP: String, podIP: String) async throws -> [String] {
    let namespace = pod.metadata.namespace ?? "default"
    var names: [String] = []
    var values: [String: String] = [:]
    func set(_ name: String, _ value: String) {
      if values[name] == nil { names.append(name) }
      values[name] = value
    }
    if pod["spec"]?["enableServiceLinks"]?.boolValue ?? true {
      for (name, value) in try await serviceVariables(namespace: namespace) { set(name, value) }
    }
    for source in container["envFrom"]?.arrayValue ?? [] {
      let prefix = source["prefix"]?.stringValue ?? ""
      if let ref = source["configMapRef"] {
        let data = try await object(.configMaps, namespace, ref).map(PodVolumes.configMapData) ?? [:]
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
          set(prefix + key, String(decoding: value, as: UTF8.self))
        }
      } else if let ref = source["secretRef"] {
        let data = try await object(.secrets, namespace, ref).map(PodVolumes.secretData) ?? [:]
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
          set(prefix + key, String(decoding: value, as: UTF8.self))
        }
      }
    }
    for variable in container["env"]?.arrayValue ?? [] {
      guard let name = variable["name"]?.stringValue else { continue }
      if let value = variable["value"]?.stringValue {
        set(name, Self.expand(value, values))
      } else if let from = variable["valueFrom"] {
        if let field = from["fieldRef"]?["fieldPath"]?.stringValue {
          var resolved = pod
          resolved["status"]?["hostIP"] = .string(hostIP)
          resolved["status"]?["podIP"] = .string(podIP)
          set(name, try Self.fieldValue(field, pod: resolved, forFile: false))
        } else if let resource = from["resourceFieldRef"] {
          set(name, try Self.resourceValue(resource, pod: pod, container: container))
        } else if let ref = from["configMapKeyRef"] {
          if let value = try await key(.configMaps, namespace, ref, PodVolumes.configMapData) { set(name, value) }
        } else if let ref = from["secretKeyRef"] {
          if let value = try await key(.secrets, namespace, ref, PodVolumes.secretData) { set(name, value) }
        }
      }
    }
    return names.map { "\($0)=\(values[$0]!)" }
  }

  private func object(_ type: ResourceType, _ namespace: String, _ ref: JSONValue) async throws -> JSONValue? {
    let name = ref["name"]?.stringValue ?? ""
    do {
      return try await client.get(type, namespace: namespace, name: name)
    } catch  where error.isNotFound {
      if ref["optional"]?.boolValue ?? false { return nil }
      throw KubeletError(.notFound, "\(type.kind.lowercased()) \"\(name)\" not found")
    }
  }

  private func key(
    _ type: ResourceType, _ namespace: String, _ ref: JSONValue, _ decode: (JSONValue) -> [String: [UInt8]]
  ) async throws -> String? {
    guard let object = try await object(type, namespace, ref) else { return nil }
    let key = ref["key"]?.stringValue ?? ""
    guard let bytes = decode(object)[key] else {
      if ref["optional"]?.boolValue ?? false { return nil }
      throw KubeletError(
        .notFound, "couldn't find key \(key) in \(type.kind) \(namespace)/\(ref["name"]?.stringValue ?? "")")
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Docker-link style variables for every Service in the namespace, as upstream's kubelet makes them.
  private func serviceVariables(namespace: String) async throws -> [(String, String)] {
    var services = try await client.list(.services, namespace: namespace).items
    if namespace != "default", let master = try? await client.get(.services, namespace: "default", name: "kubernetes") {
      services.append(master)
    }
    var variables: [(String, String)] = []
    for service in services.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
      guard let ip = service["spec"]?["clusterIP"]?.stringValue, !ip.isEmpty, ip != "None" else { continue }
      let prefix = (service.metadata.name ?? "").uppercased().replacingOccurrences(of: "-", with: "_")
      let ports = service["spec"]?["ports"]?.arrayValue ?? []
      variables.append(("\(prefix)_SERVICE_HOST", ip))
      guard let first = ports.first else { continue }
      variables.append(("\(prefix)_SERVICE_PORT", "\(first["port"]?.intValue ?? 0)"))
      for port in ports {
        if let name = port["name"]?.stringValue, !name.isEmpty {
          variables.append(
            (
              "\(prefix)_SERVICE_PORT_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))",
              "\(port["port"]?.intValue ?? 0)"
            ))
        }
      }
      let proto = (first["protocol"]?.stringValue ?? "TCP").lowercased()
      variables.append(("\(prefix)_PORT", "\(proto)://\(ip):\(first["port"]?.intValue ?? 0)"))
      for port in ports {
        let number = port["port"]?.intValue ?? 0
        let proto = port["protocol"]?.stringValue ?? "TCP"
        let base = "\(prefix)_PORT_\(number)_\(proto)"
        variables += [
          (base, "\(proto.lowercased())://\(ip):\(number)"), (base + "_PROTO", proto.lowercased()),
          (base + "_PORT", "\(number)"), (base + "_ADDR", ip),
        ]
      }
    }
    return variables
  }

  /// `$(VAR)` expands to a defined variable, `$$` escapes, anything else stays as written.
  static func expand(_ text: String, _ values: [String: String]) -> String {
    guard text.contains("$") else { return text }
    var result = ""
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      let next = text.index(after: index)
      if character == "$", next < text.endIndex {
        if text[next] == "$" {
          result.append("$")
          index = text.index(after: next)
          continue
        }
        if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
          let name = String(text[text.index(after: next)..<close])
          if let value = values[name] {
            result += value
          } else {
            result += text[index...close]
          }
          index = text.index(after: close)
          continue
        }
      }
      result.append(character)
      index = next
    }
    return result
  }

  /// A downward-API field; labels and annotations are only available as files.
  static func fieldValue(_ path: String, pod: JSONValue, forFile: Bool) throws -> String {
    let meta = pod.metadata
    func formatMap(_ map: [String: String]?) -> String {
      (map ?? [:]).sorted { $0.key < $1.key }.map {
        "\($0.key)=\"\($0.value.replacingOccurrences(of: "\"", with: "\\\""))\""
      }
      .joined(separator: "\n")
    }
    switch path {
    case "metadata.name": return meta.name ?? ""
    case "metadata.namespace": return meta.namespace ?? ""
    case "metadata.uid": return meta.uid ?? ""
    case "metadata.labels" where forFile: return formatMap(meta.labels)
    case "metadata.annotations" where forFile: return formatMap(meta.annotations)
    case "spec.nodeName": return pod["spec"]?["nodeName"]?.stringValue ?? ""
    case "spec.serviceAccountName": return pod["spec"]?["serviceAccountName"]?.stringValue ?? "default"
    case "status.hostIP", "status.hostIPs": return pod["status"]?["hostIP"]?.stringValue ?? ""
    case "status.podIP", "status.podIPs": return pod["status"]?["podIP"]?.stringValue ?? ""
    default:
      for (prefix, map) in [("metadata.labels['", meta.labels), ("metadata.annotations['", meta.annotations)]
      where path.hasPrefix(prefix) && path.hasSuffix("']") {
        return map?[String(path.dropFirst(prefix.count).dropLast(2))] ?? ""
      }
      throw KubeletError(.invalidArgument, "unsupported fieldRef \"\(path)\"")
    }
  }

  /// requests/limits of a container in units of the divisor, rounded up; a missing limit is the node's allocatable.
  static func resourceValue(_ ref: JSONValue, pod: JSONValue, container: JSONValue?) throws -> String {
    let resource = ref["resource"]?.stringValue ?? ""
    let name = ref["containerName"]?.stringValue
    let target =
      name.flatMap { name in
        (pod["spec"]?["containers"]?.arrayValue ?? []).first { $0["name"]?.stringValue == name }
      } ?? container
    guard let target else { throw KubeletError(.invalidArgument, "resourceFieldRef \(resource) needs containerName") }
    let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { throw KubeletError(.invalidArgument, "unsupported resource \"\(resource)\"") }
    let text = target["resources"]?[parts[0]]?[parts[1]]?.stringValue ?? (parts[0] == "requests" ? "0" : nil)
    let divisor = ref["divisor"]?.stringValue.flatMap { try? Quantity(parsing: $0) } ?? Quantity(1)
    guard let text, let quantity = try? Quantity(parsing: text) else {
      // Unset limits report the node's capacity in upstream; the pod sees "unbounded" as the node size.
      let facts = NodeFacts.read(filesystem: "/")
      let value = parts[1] == "cpu" ? Double(facts.cpus) : Double(facts.memoryBytes)
      return String(Int64((value / max(divisor.doubleValue, 1e-9)).rounded(.up)))
    }
    return String(Int64((quantity.doubleValue / max(divisor.doubleValue, 1e-9)).rounded(.up)))
  }
}
