import KubeAPI
import KubeClient

extension HollowNodes {
  /// Moves one pod a step: deleted once marked for deletion, Running when bound, finished when
  /// its annotations say its run is over.
  func syncPod(_ key: String, pods: ObjectCache, nodes: ObjectCache) async throws {
    guard let pod = pods.get(key), let node = pod["spec"]?["nodeName"]?.stringValue, !isStopped(node) else { return }
    let namespace = pod.metadata.namespace
    let name = pod.metadata.name ?? ""
    if pod.metadata.isBeingDeleted {
      do {
        try await client.delete(
          .pods, namespace: namespace, name: name,
          options: .init(gracePeriodSeconds: 0, preconditionUID: pod.metadata.uid))
      } catch  where error.isNotFound || error.isConflict {}
      return
    }
    let phase = pod["status"]?["phase"]?.stringValue ?? "Pending"
    guard phase != "Succeeded", phase != "Failed" else { return }
    let now = KubeTime(clock: clock)
    if phase != "Running" {
      try await patchStatus(
        pod, running(pod, node: node, cidr: nodes.get(node)?["spec"]?["podCIDR"]?.stringValue, now: now))
    }
    let restartPolicy = pod["spec"]?["restartPolicy"]?.stringValue ?? "Always"
    guard restartPolicy != "Always",
      let seconds = pod.metadata.annotations?[Self.runSecondsAnnotation].flatMap(Int64.init)
    else { return }
    let started = pod["status"]?["startTime"]?.stringValue.flatMap { try? KubeTime(parsing: $0) } ?? now
    let ends = started.adding(seconds: seconds)
    if ends > now {
      queue.add(key, after: .milliseconds(ends.milliseconds - now.milliseconds))
      return
    }
    let exitCode = pod.metadata.annotations?[Self.exitCodeAnnotation].flatMap(Int64.init) ?? 0
    try await patchStatus(pod, finished(pod, exitCode: exitCode, now: now))
  }

  func isStopped(_ node: String) -> Bool { stoppedNodes.contains(node) }

  private func patchStatus(_ pod: JSONValue, _ status: JSONValue) async throws {
    do {
      try await client.patch(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "",
        ["status": status, "metadata": ["uid": .string(pod.metadata.uid ?? "")]], subresource: "status")
    } catch  where error.isNotFound {}
  }

  private func running(_ pod: JSONValue, node: String, cidr: String?, now: KubeTime) -> JSONValue {
    let time = JSONValue.string(now.rfc3339)
    let ip = podIP(pod, node: node, cidr: cidr)
    let conditions: JSONValue = .array(
      ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map {
        ["type": .string($0), "status": "True", "lastProbeTime": .null, "lastTransitionTime": time]
      })
    let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).map { container -> JSONValue in
      [
        "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "",
        "containerID": .string("hollow://\(pod.metadata.uid ?? "")/\(container["name"]?.stringValue ?? "")"),
        "ready": true, "started": true, "restartCount": 0, "state": ["running": ["startedAt": time]],
      ]
    }
    return [
      "phase": "Running", "conditions": conditions, "hostIP": .string(hostIP(node)),
      "hostIPs": [["ip": .string(hostIP(node))]], "podIP": .string(ip), "podIPs": [["ip": .string(ip)]],
      "startTime": time, "containerStatuses": .array(containers),
      "qosClass": "BestEffort",
    ]
  }

  private func finished(_ pod: JSONValue, exitCode: Int64, now: KubeTime) -> JSONValue {
    let time = JSONValue.string(now.rfc3339)
    let containers = (pod["spec"]?["containers"]?.arrayValue ?? []).map { container -> JSONValue in
      [
        "name": container["name"] ?? "", "image": container["image"] ?? "", "imageID": "", "ready": false,
        "started": false, "restartCount": 0,
        "state": [
          "terminated": [
            "exitCode": .int(exitCode), "reason": exitCode == 0 ? "Completed" : "Error", "finishedAt": time,
            "startedAt": pod["status"]?["startTime"] ?? time,
          ]
        ],
      ]
    }
    var status = pod["status"] ?? [:]
    status["phase"] = exitCode == 0 ? "Succeeded" : "Failed"
    status["containerStatuses"] = .array(containers)
    for type in ["Ready", "ContainersReady"] {
      var conditions = status["conditions"]?.arrayValue ?? []
      if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
        conditions[index]["status"] = "False"
        conditions[index]["reason"] = "PodCompleted"
        conditions[index]["lastTransitionTime"] = time
      }
      status["conditions"] = .array(conditions)
    }
    return status
  }

  func hostIP(_ node: String) -> String {
    let index = Int(node.dropFirst(configuration.namePrefix.count)) ?? 0
    return "10.255.\(index / 250).\(index % 250 + 1)"
  }

  /// An address from the node's /24 (spec.podCIDR when node IPAM gave one).
  func podIP(_ pod: JSONValue, node: String, cidr: String?) -> String {
    if let existing = pod["status"]?["podIP"]?.stringValue, !existing.isEmpty { return existing }
    let host = nextAddress(node) % 253 + 2
    if let cidr, let network = cidr.split(separator: "/").first {
      return network.split(separator: ".").prefix(3).joined(separator: ".") + ".\(host)"
    }
    let index = Int(node.dropFirst(configuration.namePrefix.count)) ?? 0
    return "10.42.\(index % 256).\(host)"
  }
}
