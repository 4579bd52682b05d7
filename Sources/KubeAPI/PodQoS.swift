/// A pod's QoS class as upstream computes it: BestEffort without any request or limit,
/// Guaranteed when every container limits CPU and memory with requests equal to the limits,
/// Burstable otherwise. The API server records it; the kubelet sizes cgroups and OOM scores by it.
public enum PodQoS {
  public static func of(spec: JSONValue) -> String {
    let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
    var anySet = false
    var guaranteed = true
    for container in containers {
      let requests = container["resources"]?["requests"]?.objectValue ?? [:]
      let limits = container["resources"]?["limits"]?.objectValue ?? [:]
      if !requests.isEmpty || !limits.isEmpty { anySet = true }
      for resource in ["cpu", "memory"] {
        guard let limit = limits[resource] else {
          guaranteed = false
          continue
        }
        if let request = requests[resource], request != limit { guaranteed = false }
      }
    }
    if !anySet { return "BestEffort" }
    return guaranteed ? "Guaranteed" : "Burstable"
  }
}
