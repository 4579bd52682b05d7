/// A served resource as a client addresses it: group, version, plural name, kind, scope.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var resource: String
  public var kind: String
  public var namespaced: Bool

  public init(group: String, version: String, resource: String, kind: String, namespaced: Bool = true) {
    self.group = group
    self.version = version
    self.resource = resource
    self.kind = kind
    self.namespaced = namespaced
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

  /// The collection path, optionally inside a namespace.
  public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
    var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    if namespaced, let namespace, !namespace.isEmpty { path += "/namespaces/\(namespace)" }
    path += "/\(resource)"
    if let name { path += "/\(name)" }
    if let subresource { path += "/\(subresource)" }
    return path
  }
}

extension ResourceType {
  public static let pods = core("pods", "Pod")
  public static let nodes = core("nodes", "Node", namespaced: false)
  public static let namespaces = core("namespaces", "Namespace", namespaced: false)
  public static let services = core("services", "Service")
  public static let endpoints = core("endpoints", "Endpoints")
  public static let configMaps = core("configmaps", "ConfigMap")
  public static let secrets = core("secrets", "Secret")
  public static let serviceAccounts = core("serviceaccounts", "ServiceAccount")
  public static let events = core("events", "Event")
  public static let replicationControllers = core("replicationcontrollers", "ReplicationController")
  public static let persistentVolumeClaims = core("persistentvolumeclaims", "PersistentVolumeClaim")
  public static let persistentVolumes = core("persistentvolumes", "PersistentVolume", namespaced: false)
  public static let resourceQuotas = core("resourcequotas", "ResourceQuota")
  public static let deployments = apps("deployments", "Deployment")
  public static let replicaSets = apps("replicasets", "ReplicaSet")
  public static let daemonSets = apps("daemonsets", "DaemonSet")
  public static let statefulSets = apps("statefulsets", "StatefulSet")
  public static let controllerRevisions = apps("controllerrevisions", "ControllerRevision")
  public static let jobs = ResourceType(group: "batch", version: "v1", resource: "jobs", kind: "Job")
  public static let cronJobs = ResourceType(group: "batch", version: "v1", resource: "cronjobs", kind: "CronJob")
  public static let leases = ResourceType(
    group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease")
  public static let endpointSlices = ResourceType(
    group: "discovery.k8s.io", version: "v1", resource: "endpointslices", kind: "EndpointSlice")
  public static let podDisruptionBudgets = ResourceType(
    group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget")
  public static let storageClasses = ResourceType(
    group: "storage.k8s.io", version: "v1", resource: "storageclasses", kind: "StorageClass", namespaced: false)
  public static let priorityClasses = ResourceType(
    group: "scheduling.k8s.io", version: "v1", resource: "priorityclasses", kind: "PriorityClass",
    namespaced: false)
  public static let horizontalPodAutoscalers = ResourceType(
    group: "autoscaling", version: "v2", resource: "horizontalpodautoscalers", kind: "HorizontalPodAutoscaler")
  public static let certificateSigningRequests = ResourceType(
    group: "certificates.k8s.io", version: "v1", resource: "certificatesigningrequests",
    kind: "CertificateSigningRequest", namespaced: false)

  static func core(_ resource: String, _ kind: String, namespaced: Bool = true) -> ResourceType {
    ResourceType(group: "", version: "v1", resource: resource, kind: kind, namespaced: namespaced)
  }

  static func apps(_ resource: String, _ kind: String) -> ResourceType {
    ResourceType(group: "apps", version: "v1", resource: resource, kind: kind)
  }
}
