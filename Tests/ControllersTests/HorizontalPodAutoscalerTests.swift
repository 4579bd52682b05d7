import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite struct HorizontalPodAutoscalerTests {
  @Test func keepsTheTargetWithinBoundsAndSaysMetricsAreUnavailable() async throws {
    let cluster = try await TestCluster.start(nodes: 1) {
      DeploymentControllerTests.workloads($0) + [HorizontalPodAutoscalerController(context: $0)]
    }
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(
      .deployments, DeploymentControllerTests.deployment("hpa", replicas: 1, image: "r/h:1"))
    _ = try await cluster.kubectl("autoscale", "deployment", "hpa", "--min=2", "--max=4", "--cpu-percent=50")
    try await cluster.eventually("scaled up to minReplicas") {
      let deployment = try await cluster.client.get(.deployments, namespace: "default", name: "hpa")
      return deployment["spec"]?["replicas"]?.intValue == 2 ? true : nil
    }
    let hpa = try await cluster.eventually("metrics reported unavailable") {
      let hpa = try await cluster.client.get(.horizontalPodAutoscalers, namespace: "default", name: "hpa")
      let active = hpa["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "ScalingActive" }
      return active?["reason"]?.stringValue == "FailedGetResourceMetric" ? hpa : nil
    }
    #expect(hpa["status"]?["desiredReplicas"]?.intValue == 2)
    let described = try await cluster.kubectl("describe", "hpa", "hpa")
    #expect(described.contains("SuccessfulRescale"))
  }
}
