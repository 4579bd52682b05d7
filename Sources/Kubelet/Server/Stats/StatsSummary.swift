import Foundation
import KubeAPI

/// `/stats/summary` in the shape of upstream's `stats/v1alpha1.Summary`, which metrics-server
/// and `kubectl get --raw /api/v1/nodes/<n>/proxy/stats/summary` read.
enum StatsSummary {
  static func render(node: NodeSample, pods: [PodSample]) -> JSONValue {
    var nodeObject: [String: JSONValue] = [
      "nodeName": .string(node.name),
      "cpu": cpu(node.usage),
      "memory": memory(node.usage),
      "network": network(node.interfaces, time: node.usage.time),
      "rlimit": [
        "time": .string(node.usage.time.rfc3339), "curproc": .int(Int64(node.processCount)),
        "maxpid": node.maxPID.map { .int(Int64($0)) } ?? .null,
      ],
      "systemContainers": [],
    ]
    if let start = node.startTime { nodeObject["startTime"] = .string(start.rfc3339) }
    if let fs = node.fileSystem { nodeObject["fs"] = fileSystem(fs, time: node.usage.time) }
    if let image = node.imageFileSystem {
      nodeObject["runtime"] = ["imageFs": fileSystem(image, time: node.usage.time)]
    }
    return [
      "node": .object(nodeObject),
      "pods": .array(pods.map(pod)),
    ]
  }

  static func pod(_ pod: PodSample) -> JSONValue {
    var object: [String: JSONValue] = [
      "podRef": ["name": .string(pod.name), "namespace": .string(pod.namespace), "uid": .string(pod.uid)],
      "containers": .array(
        pod.containers.map { container in
          var object: [String: JSONValue] = [
            "name": .string(container.name), "cpu": cpu(container.usage), "memory": memory(container.usage),
          ]
          if let start = container.startTime { object["startTime"] = .string(start.rfc3339) }
          return .object(object)
        }),
      "cpu": cpu(pod.usage),
      "memory": memory(pod.usage),
      "process_stats": ["process_count": .int(Int64(pod.processCount))],
    ]
    if let start = pod.startTime { object["startTime"] = .string(start.rfc3339) }
    if !pod.interfaces.isEmpty { object["network"] = network(pod.interfaces, time: pod.usage.time) }
    return .object(object)
  }

  static func cpu(_ usage: UsageSample) -> JSONValue {
    var object: [String: JSONValue] = [
      "time": .string(usage.time.rfc3339), "usageCoreNanoSeconds": .int(Int64(clamping: usage.cpuNanoseconds)),
    ]
    if let cores = usage.cpuNanoCores { object["usageNanoCores"] = .int(Int64(clamping: cores)) }
    return .object(object)
  }

  static func memory(_ usage: UsageSample) -> JSONValue {
    var object: [String: JSONValue] = [
      "time": .string(usage.time.rfc3339),
      "usageBytes": .int(Int64(clamping: usage.memoryUsage)),
      "workingSetBytes": .int(Int64(clamping: usage.memoryWorkingSet)),
    ]
    if let rss = usage.memoryRSS { object["rssBytes"] = .int(Int64(clamping: rss)) }
    if let available = usage.memoryAvailable { object["availableBytes"] = .int(Int64(clamping: available)) }
    return .object(object)
  }

  static func network(_ interfaces: [HostStats.Interface], time: KubeTime) -> JSONValue {
    let all: [JSONValue] = interfaces.map { interface in
      [
        "name": .string(interface.name), "rxBytes": .int(Int64(clamping: interface.rxBytes)),
        "rxErrors": .int(Int64(clamping: interface.rxErrors)), "txBytes": .int(Int64(clamping: interface.txBytes)),
        "txErrors": .int(Int64(clamping: interface.txErrors)),
      ]
    }
    var object: [String: JSONValue] = ["time": .string(time.rfc3339), "interfaces": .array(all)]
    // The default interface's figures also sit at the top level, as upstream reports eth0.
    if let first = interfaces.first(where: { $0.name == "eth0" }) ?? interfaces.first {
      object["name"] = .string(first.name)
      object["rxBytes"] = .int(Int64(clamping: first.rxBytes))
      object["rxErrors"] = .int(Int64(clamping: first.rxErrors))
      object["txBytes"] = .int(Int64(clamping: first.txBytes))
      object["txErrors"] = .int(Int64(clamping: first.txErrors))
    }
    return .object(object)
  }

  static func fileSystem(_ fs: HostStats.FileSystem, time: KubeTime) -> JSONValue {
    [
      "time": .string(time.rfc3339), "availableBytes": .int(Int64(clamping: fs.available)),
      "capacityBytes": .int(Int64(clamping: fs.capacity)), "usedBytes": .int(Int64(clamping: fs.used)),
      "inodesFree": .int(Int64(clamping: fs.inodesFree)), "inodes": .int(Int64(clamping: fs.inodes)),
      "inodesUsed": .int(Int64(clamping: fs.inodes - min(fs.inodesFree, fs.inodes))),
    ]
  }
}

/// `/metrics/resource`: the Prometheus text metrics-server scrapes, with upstream's names,
/// labels and millisecond timestamps.
enum ResourceMetrics {
  static func render(node: NodeSample, pods: [PodSample], scrapeError: Bool) -> String {
    var out = ""
    func family(_ name: String, _ help: String, _ type: String, _ samples: [(String, Double, KubeTime)]) {
      guard !samples.isEmpty else { return }
      out += "# HELP \(name) [STABLE] \(help)\n# TYPE \(name) \(type)\n"
      for (labels, value, time) in samples {
        out += "\(name)\(labels) \(format(value)) \(time.milliseconds)\n"
      }
    }
    func labels(_ pairs: [(String, String)]) -> String {
      "{" + pairs.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }
    let containers = pods.flatMap { pod in pod.containers.map { (pod, $0) } }
    family(
      "container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter",
      containers.map { pod, container in
        (
          labels([("container", container.name), ("namespace", pod.namespace), ("pod", pod.name)]),
          Double(container.usage.cpuNanoseconds) / 1e9, container.usage.time
        )
      })
    family(
      "container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge",
      containers.map { pod, container in
        (
          labels([("container", container.name), ("namespace", pod.namespace), ("pod", pod.name)]),
          Double(container.usage.memoryWorkingSet), container.usage.time
        )
      })
    family(
      "container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge",
      containers.compactMap { pod, container in
        guard let start = container.startTime else { return nil }
        return (
          labels([("container", container.name), ("namespace", pod.namespace), ("pod", pod.name)]),
          Double(start.seconds) + Double(start.nanoseconds) / 1e9, start
        )
      })
    family(
      "node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter",
      [("", Double(node.usage.cpuNanoseconds) / 1e9, node.usage.time)])
    family(
      "node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge",
      [("", Double(node.usage.memoryWorkingSet), node.usage.time)])
    family(
      "pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter",
      pods.map {
        (labels([("namespace", $0.namespace), ("pod", $0.name)]), Double($0.usage.cpuNanoseconds) / 1e9, $0.usage.time)
      })
    family(
      "pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge",
      pods.map {
        (labels([("namespace", $0.namespace), ("pod", $0.name)]), Double($0.usage.memoryWorkingSet), $0.usage.time)
      })
    out +=
      "# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise\n"
    out += "# TYPE resource_scrape_error gauge\nresource_scrape_error \(scrapeError ? 1 : 0)\n"
    return out
  }

  /// Integers print without a fraction, others as Go's %g-like shortest form.
  static func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  static func escape(_ value: String) -> String {
    value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n")
  }
}
