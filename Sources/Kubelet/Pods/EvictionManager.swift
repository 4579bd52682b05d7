import Foundation
import KubeAPI
import KubeClient
import Logging
import Runtime

/// Node-pressure eviction: when memory.available or nodefs.available crosses its threshold,
/// the kubelet fails one pod per pass, chosen as upstream ranks them — pods using more than
/// they requested first, then lower priority, then the largest overuse.
struct EvictionManager: Sendable {
  let configuration: KubeletConfiguration
  let runtime: ContainerRuntime
  let logger: Logger

  /// One pod's standing for ranking.
  struct Candidate: Equatable {
    var key: String
    var usage: Int64
    var request: Int64
    var priority: Int64
    var exceedsRequest: Bool { usage > request }
  }

  /// Upstream's order for memory (and, with disk usage, for nodefs).
  static func rank(_ candidates: [Candidate]) -> [Candidate] {
    candidates.sorted { a, b in
      if a.exceedsRequest != b.exceedsRequest { return a.exceedsRequest }
      if a.priority != b.priority { return a.priority < b.priority }
      return a.usage - a.request > b.usage - b.request
    }
  }

  /// The signal under pressure now, if any: "memory" or "ephemeral-storage".
  func pressure() -> String? {
    let facts = NodeFacts.read(filesystem: configuration.directory)
    let pressure = NodePressure(facts: facts, configuration: configuration)
    if pressure.memory { return "memory" }
    if pressure.disk { return "ephemeral-storage" }
    return nil
  }

  /// Memory working set of a pod (all its containers) and what it requested.
  func candidate(pod: JSONValue, containers: [String: String]) -> Candidate {
    var usage: Int64 = 0
    for id in containers.values {
      if let stats = try? runtime.stats(id) { usage += Int64(stats.memoryWorkingSetBytes) }
    }
    let request = (pod["spec"]?["containers"]?.arrayValue ?? []).reduce(Int64(0)) { total, container in
      total + (Quantity(json: container["resources"]?["requests"]?["memory"])?.value ?? 0)
    }
    return Candidate(
      key: "\(pod.metadata.namespace ?? "")/\(pod.metadata.name ?? "")", usage: usage, request: request,
      priority: pod["spec"]?["priority"]?.intValue ?? 0)
  }
}
