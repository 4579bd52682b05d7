import Kubelet
import Runtime

/// Test helper: a real `PodLocator` over containers this test created in a real
/// `ContainerRuntime`, standing in for the pod manager (which owns this mapping in skiff).
final class RuntimePodLocator: PodLocator {
  struct Pod: Sendable {
    var namespace: String
    var name: String
    var uid: String
    var sandbox: Sandbox
    /// Container name → runtime ID.
    var containers: [String: String]
  }

  let runtime: ContainerRuntime
  let pods: [Pod]

  init(runtime: ContainerRuntime, pods: [Pod]) {
    self.runtime = runtime
    self.pods = pods
  }

  private func find(_ namespace: String, _ name: String) -> Pod? {
    pods.first { $0.namespace == namespace && $0.name == name }
  }

  func containerID(namespace: String, pod: String, container: String?, previous: Bool) async throws -> String {
    guard let found = find(namespace, pod) else {
      throw KubeletError(.notFound, "pod \(namespace)/\(pod) is not running on this node")
    }
    guard !previous else {
      throw KubeletError(
        .invalidArgument, "previous terminated container \"\(container ?? "")\" in pod \"\(pod)\" not found")
    }
    let name = container ?? (found.containers.count == 1 ? found.containers.keys.first! : "")
    guard let id = found.containers[name] else {
      throw KubeletError(.notFound, "container \"\(name)\" not found in pod \(namespace)/\(pod)")
    }
    return id
  }

  func networkNamespace(namespace: String, pod: String) async throws -> String {
    guard let found = find(namespace, pod) else {
      throw KubeletError(.notFound, "pod \(namespace)/\(pod) is not running on this node")
    }
    return found.sandbox.networkNamespacePath
  }

  func runningPods() async -> [RunningPod] {
    pods.map {
      RunningPod(
        namespace: $0.namespace, name: $0.name, uid: $0.uid, sandboxID: $0.sandbox.id, containers: $0.containers)
    }
  }
}
