import Controllers
import KubeAPI
import KubeClient
import Testing

@Suite struct ServiceAccountControllerTests {
  @Test func everyNamespaceGetsDefaultAccountAndRootCA() async throws {
    let cluster = try await TestCluster.start { [ServiceAccountController(context: $0)] }
    defer { Task { await cluster.stop() } }
    try await cluster.client.create(
      .namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]])
    let account = try await cluster.eventually("default ServiceAccount in team-a") {
      try await cluster.client.get(.serviceAccounts, namespace: "team-a", name: "default")
    }
    #expect(account.metadata.namespace == "team-a")
    let rootCA = try await cluster.eventually("kube-root-ca.crt in team-a") {
      try await cluster.client.get(.configMaps, namespace: "team-a", name: "kube-root-ca.crt")
    }
    #expect(rootCA["data"]?["ca.crt"]?.stringValue?.hasPrefix("-----BEGIN CERTIFICATE-----") == true)

    // Deleted ones come back.
    try await cluster.client.delete(.serviceAccounts, namespace: "team-a", name: "default")
    let recreated = try await cluster.eventually("default ServiceAccount recreated") {
      let again = try await cluster.client.get(.serviceAccounts, namespace: "team-a", name: "default")
      return again.metadata.uid != account.metadata.uid ? again : nil
    }
    #expect(recreated.metadata.name == "default")

    // The real kubectl can now mint a token for it.
    let token = try await cluster.kubectl("create", "token", "default", "-n", "team-a")
    #expect(token.split(separator: ".").count == 3)
  }
}
