import Foundation
import SkiffTestSupport
import Testing

/// Pod Security, LimitRange and ResourceQuota admission through the real kubectl.
@Suite(.serialized, .enabled(if: SkiffServerProcess.kubectlPath != nil, "kubectl is not installed"))
struct AdmissionTests {
  static let setup = """
    apiVersion: v1
    kind: Namespace
    metadata:
      name: locked
      labels: {pod-security.kubernetes.io/enforce: restricted}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: limited}
    ---
    apiVersion: v1
    kind: LimitRange
    metadata: {name: defaults, namespace: limited}
    spec:
      limits:
      - type: Container
        default: {memory: 256Mi}
        defaultRequest: {cpu: 100m}
    ---
    apiVersion: v1
    kind: ResourceQuota
    metadata: {name: two-pods, namespace: limited}
    spec:
      hard: {pods: "1"}
    """

  func pod(_ name: String, namespace: String) -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: \(name), namespace: \(namespace)}
    spec:
      containers:
      - {name: app, image: "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000"}
    """
  }

  @Test func podSecurityLimitRangeAndQuota() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    try server.kubectl("apply", "-f", "-", input: Self.setup)

    let refused = #expect(throws: SkiffServerProcess.Failure.self) {
      try server.kubectl("apply", "-f", "-", input: pod("root", namespace: "locked"))
    }
    let message = refused?.output ?? ""
    #expect(message.contains(#"violates PodSecurity "restricted:latest""#))
    #expect(message.contains("allowPrivilegeEscalation != false") && message.contains("runAsNonRoot != true"))

    try server.kubectl("apply", "-f", "-", input: pod("first", namespace: "limited"))
    #expect(
      try server.kubectl(
        "get", "pod", "first", "-n", "limited", "-o",
        "jsonpath={.spec.containers[0].resources.limits.memory} {.spec.containers[0].resources.requests.cpu}")
        == "256Mi 100m")
    let overQuota = #expect(throws: SkiffServerProcess.Failure.self) {
      try server.kubectl("apply", "-f", "-", input: pod("second", namespace: "limited"))
    }
    #expect(
      overQuota?.output.contains("exceeded quota: two-pods, requested: pods=1, used: pods=1, limited: pods=1") == true)
  }
}
