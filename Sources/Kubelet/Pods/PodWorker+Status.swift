import Foundation
import KubeAPI
import KubeClient
import Runtime
import SkiffCore

extension PodWorker {
  /// Phase from the containers, as upstream's kubelet derives it.
  func podPhase() -> String {
    var pendingInit = false
    for container in initContainers where !Self.isSidecar(container) {
      let status = currentStatus(container["name"]?.stringValue ?? "")
      if status?.state == .exited && status?.exitCode == 0 { continue }
      if status?.state == .exited && restartPolicy == "Never" { return "Failed" }
      pendingInit = true
      break
    }
    if pendingInit { return "Pending" }
    var running = 0
    var waiting = 0
    var succeeded = 0
    var failed = 0
    for container in mainContainers {
      guard let status = currentStatus(container["name"]?.stringValue ?? "") else {
        waiting += 1
        continue
      }
      switch status.state {
      case .running: running += 1
      case .created: waiting += 1
      case .exited, .unknown:
        if status.exitCode == 0 { succeeded += 1 } else { failed += 1 }
      }
    }
    if waiting > 0 && running == 0 && succeeded + failed == 0 { return "Pending" }
    if running > 0 || waiting > 0 { return "Running" }
    switch restartPolicy {
    case "Always": return "Running"
    case "OnFailure": return failed == 0 ? "Succeeded" : "Running"
    default: return failed == 0 ? "Succeeded" : "Failed"
    }
  }

  func status() -> JSONValue {
    let now = KubeTime(clock: SystemClock()).rfc3339
    let phase = eviction != nil ? "Failed" : terminated ? terminalPhase() : podPhase()
    let initStatuses = initContainers.map { containerStatus($0, isInit: true) }
    let mainStatuses = mainContainers.map { containerStatus($0, isInit: false) }
    let initialized = initContainers.allSatisfy { container in
      let status = currentStatus(container["name"]?.stringValue ?? "")
      return Self.isSidecar(container)
        ? (containers[container["name"]?.stringValue ?? ""]?.started ?? false) && status?.state == .running
          || phase != "Pending"
        : status?.state == .exited && status?.exitCode == 0
    }
    let sidecarsReady = initStatuses.enumerated().allSatisfy { index, status in
      !Self.isSidecar(initContainers[index]) || status["ready"]?.boolValue == true || phase != "Running"
    }
    let containersReady = !terminated && mainStatuses.allSatisfy { $0["ready"]?.boolValue == true } && sidecarsReady
    let gates = (spec["readinessGates"]?.arrayValue ?? []).compactMap { $0["conditionType"]?.stringValue }
    let existing = pod["status"]?["conditions"]?.arrayValue ?? []
    let gatesMet = gates.allSatisfy { gate in
      existing.contains { $0["type"]?.stringValue == gate && $0["status"]?.stringValue == "True" }
    }
    func reasonFor(_ ok: Bool, _ notOK: String) -> String? { ok ? nil : notOK }
    let owned: [(String, Bool, String?)] = [
      ("PodReadyToStartContainers", sandbox?.isAlive ?? false, nil),
      ("Initialized", initialized, reasonFor(initialized, "ContainersNotInitialized")),
      ("ContainersReady", containersReady, reasonFor(containersReady, "ContainersNotReady")),
      (
        "Ready", containersReady && gatesMet,
        reasonFor(containersReady && gatesMet, gatesMet ? "ContainersNotReady" : "ReadinessGatesNotReady")
      ),
    ]
    var conditions = existing.filter { condition in !owned.contains { $0.0 == condition["type"]?.stringValue } }
    for (type, value, reason) in owned {
      let previous = existing.first { $0["type"]?.stringValue == type }
      let statusText = value ? "True" : "False"
      var condition: [String: JSONValue] = [
        "type": .string(type), "status": .string(statusText), "lastProbeTime": .null,
        "lastTransitionTime": previous?["status"]?.stringValue == statusText
          ? (previous?["lastTransitionTime"] ?? .string(now)) : .string(now),
      ]
      if let reason {
        condition["reason"] = .string(reason)
        let unready = mainStatuses.filter { $0["ready"]?.boolValue != true }.compactMap { $0["name"]?.stringValue }
        if type != "Initialized" && !unready.isEmpty {
          condition["message"] = .string("containers with unready status: [\(unready.joined(separator: " "))]")
        }
      }
      conditions.append(.object(condition))
    }
    var status: [String: JSONValue] = [
      "phase": .string(phase), "conditions": .array(conditions), "hostIP": .string(context.configuration.nodeIP),
      "hostIPs": [["ip": .string(context.configuration.nodeIP)]], "containerStatuses": .array(mainStatuses),
      "qosClass": pod["status"]?["qosClass"] ?? .string(PodQoS.of(spec: pod["spec"] ?? [:])),
    ]
    if let eviction {
      status["reason"] = "Evicted"
      status["message"] = .string(eviction)
      if !conditions.contains(where: { $0["type"]?.stringValue == "DisruptionTarget" }) {
        conditions.append([
          "type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet", "message": .string(eviction),
          "lastTransitionTime": .string(now),
        ])
        status["conditions"] = .array(conditions)
      }
    }
    if !initStatuses.isEmpty { status["initContainerStatuses"] = .array(initStatuses) }
    if let startTime { status["startTime"] = .string(startTime) }
    if !podIP.isEmpty {
      status["podIP"] = .string(podIP)
      status["podIPs"] = [["ip": .string(podIP)]]
    }
    return .object(status)
  }

  /// A deleted pod ends Succeeded only when every main container exited 0, else Failed.
  private func terminalPhase() -> String {
    let clean = mainContainers.allSatisfy { container in
      let status = currentStatus(container["name"]?.stringValue ?? "")
      return status?.state == .exited && status?.exitCode == 0
    }
    return clean ? "Succeeded" : "Failed"
  }

  func containerStatus(_ container: JSONValue, isInit: Bool) -> JSONValue {
    let name = container["name"]?.stringValue ?? ""
    let record = containers[name]
    let current = record?.runtimeID.flatMap { try? context.runtime.status($0) }
    var status: [String: JSONValue] = [
      "name": .string(name), "image": container["image"] ?? "", "imageID": "",
      "restartCount": .int(Int64(record?.restartCount ?? 0)),
      "ready": .bool(current?.state == .running && (record?.ready ?? false) && (record?.started ?? false)),
      "started": .bool(current?.state == .running && (record?.started ?? false)),
    ]
    if let current {
      status["containerID"] = .string("skiff://\(current.id)")
      status["imageID"] = .string(Self.imageID(current))
    }
    let waitingState = record?.waiting ?? setupError.map { ($0.reason, $0.message) }
    if let current, current.state == .running {
      status["state"] = ["running": ["startedAt": .string(Self.time(current.startedAt ?? current.createdAt))]]
    } else if let waiting = waitingState {
      status["state"] = ["waiting": ["reason": .string(waiting.0), "message": .string(waiting.1)]]
      if let current, current.state == .exited { status["lastState"] = terminatedState(current, container) }
    } else if let current, current.state == .exited || current.state == .unknown {
      status["state"] = terminatedState(current, container)
    } else {
      status["state"] = ["waiting": ["reason": isInit ? "PodInitializing" : "ContainerCreating"]]
    }
    if status["lastState"] == nil {
      if let previousID = record?.previousID, let previous = try? context.runtime.status(previousID) {
        status["lastState"] = terminatedState(previous, container)
      } else {
        status["lastState"] = [:]
      }
    }
    if isInit && Self.isSidecar(container) { status["restartPolicy"] = "Always" }
    return .object(status)
  }

  private func terminatedState(_ status: ContainerStatus, _ container: JSONValue) -> JSONValue {
    var terminated: [String: JSONValue] = [
      "exitCode": .int(Int64(status.exitCode ?? 0)), "reason": .string(status.reason ?? "Error"),
      "startedAt": .string(Self.time(status.startedAt ?? status.createdAt)),
      "finishedAt": .string(Self.time(status.finishedAt ?? status.startedAt ?? status.createdAt)),
      "containerID": .string("skiff://\(status.id)"),
    ]
    if let message = terminationMessage(status, container) { terminated["message"] = .string(message) }
    return ["terminated": .object(terminated)]
  }

  /// The termination-log file, or with FallbackToLogsOnError the log's last 80 lines when it failed.
  private func terminationMessage(_ status: ContainerStatus, _ container: JSONValue) -> String? {
    let name = container["name"]?.stringValue ?? ""
    let path = "\(podDirectory)/containers/\(name)/termination-log"
    if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
      return String(decoding: data.prefix(4096), as: UTF8.self)
    }
    guard container["terminationMessagePolicy"]?.stringValue == "FallbackToLogsOnError", status.exitCode != 0,
      let log = try? String(contentsOfFile: status.logPath, encoding: .utf8)
    else { return status.message }
    let lines = log.split(separator: "\n").suffix(80).map { line in
      line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(3).first.map(String.init)
        ?? ""
    }
    return String(lines.joined(separator: "\n").suffix(2048))
  }

  static func imageID(_ status: ContainerStatus) -> String {
    let repository = status.image.split(separator: ":").first.map(String.init) ?? status.image
    return "\(repository)@\(status.imageID)"
  }

  static func time(_ date: Date) -> String {
    KubeTime(milliseconds: Int64(date.timeIntervalSince1970 * 1000)).rfc3339
  }

  /// Writes status when it changed since the last report.
  func report() async {
    let status = status()
    guard status != lastStatus else { return }
    do {
      let updated = try await context.client.patch(
        .pods, namespace: pod.metadata.namespace, name: pod.metadata.name ?? "", ["status": status],
        subresource: "status")
      lastStatus = status
      if updated.metadata.uid == uid { pod = updated }
    } catch  where error.isNotFound {
      removedFromAPI = true
      wake()
    } catch {
      context.logger.warning("pod status update failed", metadata: ["pod": "\(key)", "error": "\(error)"])
      wake(after: .seconds(1))
    }
  }
}
