import KubeAPI

/// A node taint (`spec.taints[]`).
struct Taint: Sendable, Hashable {
  var key: String
  var value: String
  var effect: String

  init(key: String, value: String = "", effect: String) {
    self.key = key
    self.value = value
    self.effect = effect
  }

  init(_ json: JSONValue) {
    key = json["key"]?.stringValue ?? ""
    value = json["value"]?.stringValue ?? ""
    effect = json["effect"]?.stringValue ?? ""
  }

  var blocksScheduling: Bool { effect == "NoSchedule" || effect == "NoExecute" }
}

/// A pod toleration (`spec.tolerations[]`), matched as upstream's Toleration.ToleratesTaint.
struct Toleration: Sendable, Hashable {
  var key: String
  var op: String
  var value: String
  var effect: String

  init(_ json: JSONValue) {
    key = json["key"]?.stringValue ?? ""
    op = json["operator"]?.stringValue ?? ""
    value = json["value"]?.stringValue ?? ""
    effect = json["effect"]?.stringValue ?? ""
  }

  func tolerates(_ taint: Taint) -> Bool {
    if !effect.isEmpty && effect != taint.effect { return false }
    if !key.isEmpty && key != taint.key { return false }
    switch op {
    case "", "Equal": return value == taint.value
    case "Exists": return true
    default: return false
    }
  }
}

extension Array where Element == Toleration {
  func tolerate(_ taint: Taint) -> Bool { contains { $0.tolerates(taint) } }

  /// The first taint (in node order) with a NoSchedule/NoExecute effect that no toleration covers.
  func firstUntolerated(_ taints: [Taint]) -> Taint? {
    taints.first { $0.blocksScheduling && !tolerate($0) }
  }
}

/// A host port a container asks for; hostIP defaults to 0.0.0.0 and protocol to TCP as upstream.
struct HostPort: Sendable, Hashable {
  var ip: String
  var proto: String
  var port: Int64

  init(ip: String, proto: String, port: Int64) {
    self.ip = ip.isEmpty ? "0.0.0.0" : ip
    self.proto = proto.isEmpty ? "TCP" : proto
    self.port = port
  }

  /// Ports of the pod's containers with a hostPort set.
  static func ports(of spec: JSONValue?) -> [HostPort] {
    var result: [HostPort] = []
    for container in spec?["containers"]?.arrayValue ?? [] {
      for port in container["ports"]?.arrayValue ?? [] {
        guard let hostPort = port["hostPort"]?.intValue, hostPort > 0 else { continue }
        result.append(
          HostPort(
            ip: port["hostIP"]?.stringValue ?? "", proto: port["protocol"]?.stringValue ?? "", port: hostPort))
      }
    }
    return result
  }

  /// Upstream's HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address on the same port/protocol.
  func conflicts(with used: [HostPort: Int]) -> Bool {
    if ip == "0.0.0.0" {
      return used.keys.contains { $0.port == port && $0.proto == proto }
    }
    return used[self] != nil || used[HostPort(ip: "0.0.0.0", proto: proto, port: port)] != nil
  }
}
