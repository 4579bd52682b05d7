import KubeAPI

/// Best-practice advice as `Warning:` headers (kubectl prints them), for the mistakes the
/// Kubernetes trade-off guide lists. Never blocks; each warning can be turned off by name.
struct BestPracticeWarnings: Sendable {
  enum Name: String, CaseIterable, Sendable {
    case noResourceRequests = "no-resource-requests"
    case mutableImageTag = "mutable-image-tag"
    case cpuLimit = "cpu-limit"
    case memoryRequestNotLimit = "memory-request-not-limit"
    case singleReplica = "single-replica"
    case requiredAntiAffinity = "required-anti-affinity"
    case defaultServiceAccount = "default-service-account"
    case noReadinessProbe = "no-readiness-probe"
  }

  var disabled: Set<String> = []

  /// Replica counts from which required anti-affinity is called out.
  static let antiAffinityReplicas: Int64 = 5

  /// The pod spec a kind carries, and the labels its pods get.
  static func podTemplate(_ object: JSONValue, kind: String) -> (spec: JSONValue, labels: [String: JSONValue])? {
    switch kind {
    case "Pod": return object["spec"].map { ($0, object["metadata"]?["labels"]?.objectValue ?? [:]) }
    case "CronJob":
      let template = object["spec"]?["jobTemplate"]?["spec"]?["template"]
      return template?["spec"].map { ($0, template?["metadata"]?["labels"]?.objectValue ?? [:]) }
    case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController", "PodTemplate":
      let template = kind == "PodTemplate" ? object["template"] : object["spec"]?["template"]
      return template?["spec"].map { ($0, template?["metadata"]?["labels"]?.objectValue ?? [:]) }
    default: return nil
    }
  }

  /// The warnings for a workload; `selectedByService` says whether a Service selects its pods.
  func warnings(for object: JSONValue, kind: String, selectedByService: Bool) -> [String] {
    guard let (spec, _) = BestPracticeWarnings.podTemplate(object, kind: kind) else { return [] }
    var out: [(Name, String)] = []
    let containers = (spec["initContainers"]?.arrayValue ?? []) + (spec["containers"]?.arrayValue ?? [])
    for container in containers {
      let name = container["name"]?.stringValue ?? ""
      let requests = container["resources"]?["requests"]?.objectValue ?? [:]
      let limits = container["resources"]?["limits"]?.objectValue ?? [:]
      if requests.isEmpty && limits.isEmpty {
        out.append(
          (
            .noResourceRequests,
            "container \"\(name)\" has no resource requests: set cpu and memory requests from observed usage so the scheduler can place it"
          ))
      }
      if let image = container["image"]?.stringValue, ImageReference.isMutable(image) {
        out.append(
          (
            .mutableImageTag,
            "container \"\(name)\" uses image \"\(image)\" by a mutable tag: pin it by digest (name@sha256:…) so every node runs the same image"
          ))
      }
      if limits["cpu"] != nil {
        out.append(
          (
            .cpuLimit,
            "container \"\(name)\" sets a CPU limit, which throttles bursts: request CPU at p95 usage and leave the CPU limit unset"
          ))
      }
      let memoryRequest = requests["memory"]
      let memoryLimit = limits["memory"]
      if memoryRequest != nil || memoryLimit != nil, memoryRequest != memoryLimit, memoryLimit != nil {
        out.append(
          (
            .memoryRequestNotLimit,
            "container \"\(name)\" has a memory request different from its limit: set memory request = limit, memory cannot be safely overcommitted"
          ))
      }
      if selectedByService && container["readinessProbe"] == nil
        && spec["containers"]?.arrayValue?.contains(container) == true
      {
        out.append(
          (
            .noReadinessProbe,
            "container \"\(name)\" has no readiness probe but a Service sends it traffic: add a readinessProbe on a dedicated /readyz endpoint"
          ))
      }
    }
    let replicas = object["spec"]?["replicas"]?.intValue ?? 1
    if kind == "Deployment" && replicas == 1 {
      out.append(
        (
          .singleReplica,
          "Deployment has 1 replica: a node drain or a rollout takes the service down; run at least 2 with a PodDisruptionBudget"
        ))
    }
    let required =
      spec["affinity"]?["podAntiAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? []
    if !required.isEmpty && ["Deployment", "ReplicaSet", "StatefulSet"].contains(kind)
      && replicas >= BestPracticeWarnings.antiAffinityReplicas
    {
      out.append(
        (
          .requiredAntiAffinity,
          "\(replicas) replicas with required pod anti-affinity leave pods Pending once they outnumber nodes: use topologySpreadConstraints (maxSkew: 1, whenUnsatisfiable: ScheduleAnyway)"
        ))
    }
    let account = spec["serviceAccountName"]?.stringValue ?? spec["serviceAccount"]?.stringValue ?? "default"
    if account == "default" && spec["automountServiceAccountToken"]?.boolValue != false {
      out.append(
        (
          .defaultServiceAccount,
          "pods run as the default ServiceAccount with its token mounted: create a ServiceAccount per workload, or set automountServiceAccountToken: false"
        ))
    }
    return out.filter { !disabled.contains($0.0.rawValue) }.map(\.1)
  }

  /// As a Warning header value: `299 - "text"`.
  static func header(_ text: String) -> String {
    "299 - \"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}
