import KubeAPI

/// Pods: upstream's defaults for the pod spec (also used for workload templates), validation
/// of containers, the fields kubelets select on, and the spec's immutability.
enum PodStrategy {
  static func configure(_ strategy: inout ResourceStrategy) {
    strategy.hasStatus = true
    strategy.resetsStatusOnCreate = true
    strategy.selectableFields = [
      "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
      "status.phase", "status.podIP", "status.nominatedNodeName",
    ]
    strategy.fields = { pod in
      [
        "spec.nodeName": pod["spec"]?["nodeName"]?.stringValue ?? "",
        "spec.restartPolicy": pod["spec"]?["restartPolicy"]?.stringValue ?? "",
        "spec.schedulerName": pod["spec"]?["schedulerName"]?.stringValue ?? "",
        "spec.serviceAccountName": pod["spec"]?["serviceAccountName"]?.stringValue ?? "",
        "spec.hostNetwork": pod["spec"]?["hostNetwork"]?.boolValue == true ? "true" : "false",
        "status.phase": pod["status"]?["phase"]?.stringValue ?? "",
        "status.podIP": pod["status"]?["podIP"]?.stringValue ?? "",
        "status.nominatedNodeName": pod["status"]?["nominatedNodeName"]?.stringValue ?? "",
      ]
    }
    strategy.defaults = { pod, context in
      var spec = pod["spec"] ?? .object([:])
      defaultPodSpec(&spec)
      pod["spec"] = spec
      if context.isCreate {
        addDefaultTolerations(&pod)
        var status = pod["status"] ?? .object([:])
        if status["phase"] == nil { status["phase"] = .string("Pending") }
        status["qosClass"] = .string(PodQoS.of(spec: spec))
        pod["status"] = status
      }
    }
    strategy.validate = { pod, old, _ in
      var errors = validatePodSpec(pod["spec"] ?? .null, path: "spec")
      if let old, let oldSpec = old["spec"], let spec = pod["spec"], !mutableChangesOnly(spec, oldSpec) {
        errors.append(
          .forbidden(
            "spec",
            "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
          ))
      }
      return errors
    }
  }

  /// The DefaultTolerationSeconds admission plugin: pods tolerate a not-ready or unreachable
  /// node for 300 s before taint-based eviction removes them, unless they say otherwise.
  static func addDefaultTolerations(_ pod: inout JSONValue) {
    var tolerations = pod["spec"]?["tolerations"]?.arrayValue ?? []
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
      let covered = tolerations.contains { toleration in
        let effect = toleration["effect"]?.stringValue ?? ""
        let tolerationKey = toleration["key"]?.stringValue ?? ""
        return (effect.isEmpty || effect == "NoExecute")
          && (tolerationKey == key || (tolerationKey.isEmpty && toleration["operator"]?.stringValue == "Exists"))
      }
      if !covered {
        tolerations.append(
          ["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
      }
    }
    pod["spec"]?["tolerations"] = .array(tolerations)
  }

  /// What the pod spec looks like after upstream's defaulting (SetDefaults_PodSpec & co).
  static func defaultPodSpec(_ spec: inout JSONValue) {
    let defaults: [(String, JSONValue)] = [
      ("restartPolicy", .string("Always")), ("terminationGracePeriodSeconds", .int(30)),
      ("dnsPolicy", .string("ClusterFirst")), ("securityContext", .object([:])),
      ("schedulerName", .string("default-scheduler")), ("enableServiceLinks", .bool(true)),
      ("preemptionPolicy", .string("PreemptLowerPriority")), ("priority", .int(0)),
    ]
    for (key, value) in defaults where spec[key] == nil { spec[key] = value }
    if let account = spec["serviceAccountName"], spec["serviceAccount"] == nil { spec["serviceAccount"] = account }
    for list in ["containers", "initContainers"] {
      guard var containers = spec[list]?.arrayValue else { continue }
      for index in containers.indices { defaultContainer(&containers[index]) }
      spec[list] = .array(containers)
    }
  }

  static func defaultContainer(_ container: inout JSONValue) {
    if container["terminationMessagePath"] == nil {
      container["terminationMessagePath"] = .string("/dev/termination-log")
    }
    if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = .string("File") }
    if container["resources"] == nil { container["resources"] = .object([:]) }
    if container["imagePullPolicy"] == nil, let image = container["image"]?.stringValue {
      container["imagePullPolicy"] = .string(ImageReference.isMutable(image) ? "Always" : "IfNotPresent")
    }
    if var ports = container["ports"]?.arrayValue {
      for index in ports.indices where ports[index]["protocol"] == nil { ports[index]["protocol"] = .string("TCP") }
      container["ports"] = .array(ports)
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
      guard var value = container[probe] else { continue }
      let probeDefaults: [(String, Int64)] = [
        ("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3),
      ]
      for (key, number) in probeDefaults where value[key] == nil { value[key] = .int(number) }
      if var http = value["httpGet"] {
        if http["path"] == nil { http["path"] = .string("/") }
        if http["scheme"] == nil { http["scheme"] = .string("HTTP") }
        value["httpGet"] = http
      }
      container[probe] = value
    }
  }

  static func validatePodSpec(_ spec: JSONValue, path: String) -> [FieldError] {
    var errors: [FieldError] = []
    let containers = spec["containers"]?.arrayValue ?? []
    if containers.isEmpty { errors.append(.required("\(path).containers", "")) }
    var names: Set<String> = []
    for (list, items) in [("containers", containers), ("initContainers", spec["initContainers"]?.arrayValue ?? [])] {
      for (index, container) in items.enumerated() {
        let field = "\(path).\(list)[\(index)]"
        let name = container["name"]?.stringValue ?? ""
        if name.isEmpty {
          errors.append(.required("\(field).name", ""))
        } else {
          for problem in NameValidation.dns1123Label(name) {
            errors.append(.invalid("\(field).name", .string(name), problem))
          }
          if !names.insert(name).inserted { errors.append(.duplicate("\(field).name", .string(name))) }
        }
        if (container["image"]?.stringValue ?? "").isEmpty { errors.append(.required("\(field).image", "")) }
        if let policy = container["imagePullPolicy"]?.stringValue,
          !["Always", "IfNotPresent", "Never"].contains(policy)
        {
          errors.append(
            .notSupported("\(field).imagePullPolicy", .string(policy), ["Always", "IfNotPresent", "Never"]))
        }
        for (portIndex, port) in (container["ports"]?.arrayValue ?? []).enumerated() {
          let number = port["containerPort"]?.intValue ?? 0
          if !(1...65535).contains(number) {
            errors.append(
              .invalid(
                "\(field).ports[\(portIndex)].containerPort", port["containerPort"] ?? .int(0),
                "must be between 1 and 65535, inclusive"))
          }
        }
      }
    }
    if let policy = spec["restartPolicy"]?.stringValue, !["Always", "OnFailure", "Never"].contains(policy) {
      errors.append(.notSupported("\(path).restartPolicy", .string(policy), ["Always", "OnFailure", "Never"]))
    }
    var volumeNames: Set<String> = []
    for (index, volume) in (spec["volumes"]?.arrayValue ?? []).enumerated() {
      let name = volume["name"]?.stringValue ?? ""
      if name.isEmpty { errors.append(.required("\(path).volumes[\(index)].name", "")) }
      if !volumeNames.insert(name).inserted {
        errors.append(.duplicate("\(path).volumes[\(index)].name", .string(name)))
      }
    }
    return errors
  }

  /// Only images, activeDeadlineSeconds, tolerations and the grace period may change.
  static func mutableChangesOnly(_ spec: JSONValue, _ old: JSONValue) -> Bool {
    func stripped(_ value: JSONValue) -> JSONValue {
      var value = value
      for list in ["containers", "initContainers"] {
        if var items = value[list]?.arrayValue {
          for index in items.indices { items[index]["image"] = nil }
          value[list] = .array(items)
        }
      }
      for key in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] { value[key] = nil }
      return value
    }
    var newSpec = stripped(spec)
    var oldSpec = stripped(old)
    // Binding sets nodeName once; the scheduler's write is a binding, not a spec update.
    if (oldSpec["nodeName"]?.stringValue ?? "").isEmpty { newSpec["nodeName"] = nil; oldSpec["nodeName"] = nil }
    return newSpec == oldSpec
  }
}

/// Image references as the kubelet reads them, enough to tell a mutable tag.
enum ImageReference {
  /// `:latest` or no tag (and no digest) can change under the same name.
  static func isMutable(_ image: String) -> Bool {
    if image.contains("@") { return false }
    let last = image.split(separator: "/").last.map(String.init) ?? image
    guard let colon = last.lastIndex(of: ":") else { return true }
    return last[last.index(after: colon)...] == "latest"
  }
}
