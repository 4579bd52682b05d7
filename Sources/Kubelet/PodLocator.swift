/// What the kubelet API (logs, exec, attach, port-forward, stats) needs to know about the pods
/// this node runs; the pod manager answers from its own state, so the server never guesses
/// runtime IDs.
public protocol PodLocator: Sendable {
  /// The runtime container ID of `container` in a pod (the pod's only container when nil),
  /// or of its previous instance when `previous`. Throws `KubeletError.notFound` with a
  /// message naming what is missing.
  func containerID(namespace: String, pod: String, container: String?, previous: Bool) async throws -> String

  /// `/proc/<pid>/ns/net` of the pod's sandbox, for port-forwarding into the pod.
  func networkNamespace(namespace: String, pod: String) async throws -> String

  /// Every pod this node currently runs, for `/stats/summary` and `/metrics/resource`.
  func runningPods() async -> [RunningPod]
}

/// A pod as the runtime sees it.
public struct RunningPod: Sendable, Equatable {
  public var namespace: String
  public var name: String
  public var uid: String
  /// The runtime sandbox ID (its cgroup is `sandbox-<id>`).
  public var sandboxID: String
  /// Container name → runtime ID of the current instance.
  public var containers: [String: String]

  public init(namespace: String, name: String, uid: String, sandboxID: String, containers: [String: String]) {
    self.namespace = namespace
    self.name = name
    self.uid = uid
    self.sandboxID = sandboxID
    self.containers = containers
  }
}
