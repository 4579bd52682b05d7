import Dispatch
import Foundation
import KubeClient
import SkiffCore
import SkiffTestSupport
import Testing

@testable import SkiffNetwork

/// `ServiceProxy` against a real `skiff server --disable-agent`, driven with the real kubectl:
/// the ruleset in a test-created namespace follows Service and EndpointSlice changes.
@Suite(
  .enabled(
    if: InformerTestGate.skipReason == nil,
    "needs root, nft, ip, /usr/bin/python3, kubectl and the skiff binary (or SKIFF_BINARY)"))
struct ProxyInformerTests {}

enum InformerTestGate {
  static var skipReason: String? {
    if !ProxyTopology.isSupported { return "needs root, nft, ip and /usr/bin/python3" }
    if SkiffServerProcess.kubectlPath == nil { return "needs kubectl" }
    if !FileManager.default.isExecutableFile(atPath: SkiffServerProcess.binary) {
      return "needs the skiff binary (build it or set SKIFF_BINARY)"
    }
    return nil
  }
}

extension ProxyInformerTests {
  static let manifest = """
    apiVersion: v1
    kind: Service
    metadata: {name: manual, namespace: default}
    spec:
      clusterIP: 10.43.0.77
      ports: [{name: http, port: 80, protocol: TCP}]
    ---
    apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata:
      name: manual-1
      namespace: default
      labels: {kubernetes.io/service-name: manual}
    addressType: IPv4
    ports: [{name: http, port: 8080, protocol: TCP}]
    endpoints:
    - addresses: [10.42.0.11]
      conditions: {ready: true}
    - addresses: [10.42.0.12]
      conditions: {ready: true}
    """

  @Test func rulesetFollowsKubectlChanges() async throws {
    let server = try SkiffServerProcess()
    let namespace = "skp\(String(UInt32.random(in: 0..<0xFFFFF), radix: 16))-informer"
    _ = try await NFTProcess().run("ip", ["netns", "add", namespace])
    let proxyTask: Task<Void, any Error>
    do {
      try await server.waitReady(timeout: .seconds(120), etcd: false)
      let client = KubeClient(transport: try HTTPTransport(HTTPTransport.Credentials(kubeconfig: server.kubeconfig)))
      let proxy = try ServiceProxy(
        client: client, nodeName: "node-a", nodeIPs: ["192.168.50.1"], networkNamespace: "/run/netns/\(namespace)")
      proxyTask = Task { try await proxy.run() }
      let nft = NFTables(networkNamespace: "/run/netns/\(namespace)")
      func ruleset() async -> String { (try? await nft.list()) ?? "" }

      try await Self.kubectl(server, "apply", "-f", "-", input: Self.manifest)
      try await Self.eventually("both endpoints in the ruleset") {
        let text = await ruleset()
        return text.contains("10.43.0.77 . tcp . 80 : goto svc-default/manual/tcp/80")
          && text.contains(": 10.42.0.11 . 8080") && text.contains(": 10.42.0.12 . 8080")
      }
      try await Self.kubectl(
        server, "patch", "endpointslice", "manual-1", "--type=json",
        "-p", #"[{"op":"replace","path":"/endpoints/1/conditions/ready","value":false}]"#)
      try await Self.eventually("the unready endpoint leaves") {
        let text = await ruleset()
        return text.contains("dnat to 10.42.0.11:8080") && !text.contains("10.42.0.12")
      }
      try await Self.kubectl(server, "delete", "endpointslice", "manual-1")
      try await Self.eventually("the Service without endpoints is rejected") {
        await ruleset().contains("10.43.0.77 . tcp . 80 : goto reject-chain")
      }
      try await Self.kubectl(server, "delete", "service", "manual")
      try await Self.eventually("the deleted Service leaves no trace") { await !ruleset().contains("10.43.0.77") }
      #expect(proxy.lastApplied.syncs >= 4)
    } catch {
      _ = server.stop()
      _ = try? await NFTProcess().run("ip", ["netns", "del", namespace])
      throw error
    }
    proxyTask.cancel()
    _ = await proxyTask.result
    _ = server.stop()
    _ = try await NFTProcess().run("ip", ["netns", "del", namespace])
    try? FileManager.default.removeItem(atPath: server.dataDir)
  }

  /// kubectl on a Dispatch thread, never blocking the cooperative pool.
  @discardableResult
  static func kubectl(_ server: SkiffServerProcess, _ arguments: String..., input: String? = nil) async throws -> String
  {
    try await Blocking.run { try server.kubectl(arguments: arguments, input: input) }
  }

  static func eventually(_ what: String, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
      if await condition() { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw NetworkError(.kernel, "timed out waiting until \(what)")
  }
}
