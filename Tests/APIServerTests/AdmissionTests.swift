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

  /// A quota with scopes limits and counts only the pods in them.
  @Test func scopedQuotaCountsOnlyItsPods() async throws {
    let server = try SkiffServerProcess(arguments: ["--etcd-listen", ""])
    defer { server.stop() }
    try await server.waitReady(etcd: false)
    try server.kubectl(
      "apply", "-f", "-",
      input: """
        apiVersion: v1
        kind: Namespace
        metadata: {name: scoped}
        ---
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: best-effort, namespace: scoped}
        spec:
          hard: {pods: "1"}
          scopes: [BestEffort]
        """)
    func burstable(_ name: String) -> String {
      pod(name, namespace: "scoped").replacingOccurrences(
        of: "0000000000000000000000000000000000000000000000000000000000000000\"}",
        with: "0000000000000000000000000000000000000000000000000000000000000000\", resources: {requests: {cpu: 10m}}}")
    }
    try server.kubectl("apply", "-f", "-", input: burstable("requests-1"))
    try server.kubectl("apply", "-f", "-", input: burstable("requests-2"))
    try server.kubectl("apply", "-f", "-", input: pod("best-effort-1", namespace: "scoped"))
    let refused = #expect(throws: SkiffServerProcess.Failure.self) {
      try server.kubectl("apply", "-f", "-", input: pod("best-effort-2", namespace: "scoped"))
    }
    #expect(refused?.output.contains("exceeded quota: best-effort, requested: pods=1, used: pods=1") == true)
    var used = ""
    for _ in 0..<100 {
      used = try server.kubectl("get", "quota", "best-effort", "-n", "scoped", "-o", "jsonpath={.status.used.pods}")
      if used == "1" { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(used == "1")
  }
}
