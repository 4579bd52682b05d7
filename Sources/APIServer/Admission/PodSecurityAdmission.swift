import KubeAPI

/// Pod Security admission: the namespace's `pod-security.kubernetes.io/enforce` level
/// (privileged, baseline, restricted) refuses pods that break it, `warn` only warns, as
/// upstream's built-in admission does.
enum PodSecurityAdmission {
  enum Level: String, Comparable {
    case privileged, baseline, restricted
    static func < (a: Level, b: Level) -> Bool { a.order < b.order }
    var order: Int { self == .privileged ? 0 : self == .baseline ? 1 : 2 }
  }

  /// The baseline profile's allowed capability additions.
  static let baselineCapabilities: Set<String> = [
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
    "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
  ]
  static let restrictedVolumes: Set<String> = [
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
  ]

  /// Each violation as upstream words it: `check (details)`.
  static func violations(_ spec: JSONValue, level: Level) -> [String] {
    guard level > .privileged else { return [] }
    var out: [String] = []
    let containers =
      (spec["initContainers"]?.arrayValue ?? []) + (spec["containers"]?.arrayValue ?? [])
      + (spec["ephemeralContainers"]?.arrayValue ?? [])
    let podContext = spec["securityContext"] ?? .object([:])
    func names(_ filter: (JSONValue) -> Bool) -> String {
      containers.filter(filter).compactMap { $0["name"]?.stringValue }.map { "\"\($0)\"" }.joined(separator: ", ")
    }
    func add(_ check: String, _ who: String, _ what: String) {
      if !who.isEmpty { out.append("\(check) (\(who.contains(",") ? "containers" : "container") \(who) \(what))") }
    }
    // baseline
    for key in ["hostNetwork", "hostPID", "hostIPC"] where spec[key]?.boolValue == true {
      out.append("host namespaces (\(key)=true)")
    }
    add(
      "privileged", names { $0["securityContext"]?["privileged"]?.boolValue == true },
      "must not set securityContext.privileged=true")
    let hostPaths = (spec["volumes"]?.arrayValue ?? []).filter { $0["hostPath"] != nil }.compactMap {
      $0["name"]?.stringValue
    }
    if !hostPaths.isEmpty {
      out.append(
        "hostPath volumes (volume\(hostPaths.count > 1 ? "s" : "") \(hostPaths.map { "\"\($0)\"" }.joined(separator: ", ")))"
      )
    }
    add(
      "hostPort",
      names { ($0["ports"]?.arrayValue ?? []).contains { ($0["hostPort"]?.intValue ?? 0) != 0 } },
      "uses hostPort")
    add(
      "capabilities",
      names { container in
        let added = (container["securityContext"]?["capabilities"]?["add"]?.arrayValue ?? []).compactMap(\.stringValue)
        return added.contains { !baselineCapabilities.contains($0) }
      }, "must not include capabilities beyond the baseline set in securityContext.capabilities.add")
    func seccompType(_ context: JSONValue?) -> String? { context?["seccompProfile"]?["type"]?.stringValue }
    if seccompType(podContext) == "Unconfined" {
      out.append("seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")")
    }
    add(
      "seccompProfile", names { seccompType($0["securityContext"]) == "Unconfined" },
      "must not set securityContext.seccompProfile.type to \"Unconfined\"")
    add(
      "procMount", names { ($0["securityContext"]?["procMount"]?.stringValue ?? "Default") != "Default" },
      "must not set securityContext.procMount")
    guard level == .restricted else { return out }
    // restricted
    let badVolumes = (spec["volumes"]?.arrayValue ?? []).filter { volume in
      !(volume.objectValue ?? [:]).keys.contains { restrictedVolumes.contains($0) }
    }.compactMap { $0["name"]?.stringValue }
    if !badVolumes.isEmpty {
      out.append(
        "restricted volume types (volume\(badVolumes.count > 1 ? "s" : "") \(badVolumes.map { "\"\($0)\"" }.joined(separator: ", ")) use\(badVolumes.count > 1 ? "" : "s") a restricted volume type)"
      )
    }
    add(
      "allowPrivilegeEscalation != false",
      names { $0["securityContext"]?["allowPrivilegeEscalation"]?.boolValue != false },
      "must set securityContext.allowPrivilegeEscalation=false")
    add(
      "unrestricted capabilities",
      names { container in
        let capabilities = container["securityContext"]?["capabilities"]
        let dropped = (capabilities?["drop"]?.arrayValue ?? []).compactMap(\.stringValue)
        let added = (capabilities?["add"]?.arrayValue ?? []).compactMap(\.stringValue)
        return !dropped.contains("ALL") || added.contains { $0 != "NET_BIND_SERVICE" }
      }, "must set securityContext.capabilities.drop=[\"ALL\"]")
    let podNonRoot = podContext["runAsNonRoot"]?.boolValue == true
    add(
      "runAsNonRoot != true",
      names { container in
        let value = container["securityContext"]?["runAsNonRoot"]?.boolValue
        return value == false || (value == nil && !podNonRoot)
      }, "must set securityContext.runAsNonRoot=true")
    let podSeccomp = seccompType(podContext)
    add(
      "seccompProfile",
      names { container in
        let type = seccompType(container["securityContext"]) ?? podSeccomp
        return type != "RuntimeDefault" && type != "Localhost"
      }, "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"")
    return out
  }

  /// upstream's refusal text.
  static func message(pod name: String, level: Level, violations: [String]) -> String {
    "pods \"\(name)\" is forbidden: violates PodSecurity \"\(level.rawValue):latest\": "
      + violations.joined(separator: ", ")
  }
}
