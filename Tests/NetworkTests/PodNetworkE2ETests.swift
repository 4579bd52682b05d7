import Foundation
import SkiffTestSupport
import Testing

/// End to end as root: real `skiff server` / `skiff agent` processes, each node in its own
/// network namespace the test creates, pods talking over skiff0 and the overlay, and nothing
/// left behind after the agents' cleanup.
@Suite(.serialized, .enabled(if: PodNetworkTopology.skipReason == nil, "\(PodNetworkTopology.skipReason ?? "")"))
struct PodNetworkE2ETests {
  static let apiPort = 6443

  /// A server with its embedded agent in node 0's namespace (on `dataDir` again for a restart).
  static func startServer(
    _ topology: PodNetworkTopology, backend: String, cleanup: Bool = true, dataDir: String? = nil
  ) async throws -> SkiffServerProcess {
    let dataDir = try dataDir ?? TestImage.temporaryDirectory("netserver")
    if !FileManager.default.fileExists(atPath: dataDir + "/agent/images/busybox.tar") {
      try FileManager.default.createDirectory(atPath: dataDir + "/agent/images", withIntermediateDirectories: true)
      try TestImage.writeOCIArchive(to: dataDir + "/agent/images/busybox.tar")
    }
    let server = try SkiffServerProcess(
      dataDir: dataDir,
      arguments: [
        "--enable-agent", "--https-listen-port", String(apiPort), "--node-name", "net-0", "--node-ip",
        topology.node(0).address, "--network-backend", backend,
      ] + (cleanup ? ["--cleanup-network-on-exit"] : []), commandPrefix: topology.enter(0))
    try await server.waitReady(timeout: .seconds(120), etcd: false)
    return server
  }

  static func kubectl(_ server: SkiffServerProcess, _ arguments: String..., input: String? = nil) async throws
    -> String
  {
    try await offPool {
      try server.kubectl(arguments: arguments, input: input).trimmingCharacters(in: .whitespacesAndNewlines)
    }
  }

  static func eventually(
    _ what: String, _ server: SkiffServerProcess, timeout: Duration = .seconds(90), _ condition: () async throws -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if (try? await condition()) == true { return }
      try await Task.sleep(for: .milliseconds(300))
    }
    let pods = (try? await kubectl(server, "get", "pods", "-A", "-o", "wide")) ?? ""
    let events = (try? await kubectl(server, "get", "events", "-A")) ?? ""
    throw SkiffServerProcess.Failure(
      "timed out waiting for \(what)\npods:\n\(pods)\nevents:\n\(events)\nserver log tail:\n\(server.log.suffix(4000))")
  }

  /// An httpd answering its own name, and a client that only sleeps, pinned to nodes.
  static func pods(httpdNode: String, clientNode: String) -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      nodeName: \(httpdNode)
      terminationGracePeriodSeconds: 0
      containers:
      - name: httpd
        image: docker.io/library/busybox:test
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /tmp/www && echo hello-from-$(hostname) > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: client}
    spec:
      nodeName: \(clientNode)
      terminationGracePeriodSeconds: 0
      containers:
      - name: sleep
        image: docker.io/library/busybox:test
        imagePullPolicy: Never
        command: ["sleep", "3600"]
    """
  }

  /// Waits for both pods to run with addresses; answers the web pod's IP.
  static func runPods(_ server: SkiffServerProcess, httpdNode: String, clientNode: String) async throws -> String {
    _ = try await kubectl(server, "apply", "-f", "-", input: pods(httpdNode: httpdNode, clientNode: clientNode))
    var webIP = ""
    try await eventually("web and client Running with pod IPs", server) {
      let table = try await kubectl(
        server, "get", "pods", "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.podIP}{\"\\n\"}{end}")
      let rows = table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
      guard rows.count == 2, rows.allSatisfy({ $0.count == 3 && $0[1] == "Running" && $0[2].hasPrefix("10.42.") })
      else { return false }
      webIP = rows.first { $0[0] == "web" }?[2] ?? ""
      return true
    }
    return webIP
  }

  /// The client fetches the web pod's page by pod IP (kubectl trims the output's last newline).
  static func fetch(_ server: SkiffServerProcess, ip: String) async throws {
    var answer = ""
    do {
      try await eventually("client reaches web at \(ip):8080", server, timeout: .seconds(30)) {
        do {
          // nc, not wget: Debian's static busybox wget crashes.
          answer = try await kubectl(
            server, "exec", "client", "--", "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(ip) 8080")
        } catch {
          answer = "\(error)"
        }
        return answer.contains("hello-from-web")
      }
    } catch {
      Issue.record("last answer: \(answer.debugDescription)")
      throw error
    }
    #expect(answer.hasPrefix("HTTP/1.1 200 OK"))
  }

  /// Deletes the pods and waits for them to be gone (their sandboxes removed by the kubelet).
  static func deletePods(_ server: SkiffServerProcess) async throws {
    _ = try await kubectl(server, "delete", "pods", "--all", "--wait=false")
    try await eventually("pods deleted", server) {
      try await kubectl(server, "get", "pods", "-o", "name").isEmpty
    }
  }

  /// What a node namespace must not hold after the agent's cleanup.
  static func leftovers(_ topology: PodNetworkTopology, _ index: Int) throws -> [String] {
    let links = try topology.ip(index, "-o", "link", "show").split(separator: "\n")
      .filter { $0.contains("skiff0") || $0.contains("skiff.1") || $0.contains(": skv") }.map(String.init)
    let routes = try topology.ip(index, "route", "show").split(separator: "\n").filter { $0.hasPrefix("10.42.") }
      .map(String.init)
    return links + routes
  }

  @Test func podsOnOneNodeTalkOverTheBridge() async throws {
    let topology = try PodNetworkTopology(nodes: 1)
    defer { topology.remove() }
    // The first agent keeps the network when it stops, as a restart or upgrade does.
    var server = try await Self.startServer(topology, backend: "vxlan", cleanup: false)
    defer { removeAgentState(dataDir: server.dataDir) }
    defer { server.stop() }
    try await Self.eventually("the node's VTEP annotation", server) {
      try await Self.kubectl(
        server, "get", "node", "net-0", "-o", "jsonpath={.metadata.annotations.skiff\\.io/vxlan-mac}"
      )
      .count == 17
    }
    let podCIDR = try await Self.kubectl(server, "get", "node", "net-0", "-o", "jsonpath={.spec.podCIDR}")
    #expect(podCIDR.hasPrefix("10.42.") && podCIDR.hasSuffix(".0/24"))
    let bridge = try topology.ip(0, "-o", "addr", "show", "dev", "skiff0")
    #expect(bridge.contains(podCIDR.replacingOccurrences(of: ".0/24", with: ".1/24")), "\(bridge)")

    let webIP = try await Self.runPods(server, httpdNode: "net-0", clientNode: "net-0")
    try await Self.fetch(server, ip: webIP)
    // eth0 inside the pod: the address, MTU uplink - 50 (VXLAN), default route via the bridge.
    let link = try await Self.kubectl(server, "exec", "client", "--", "ip", "-o", "addr", "show", "eth0")
    #expect(link.contains("10.42."), "\(link)")
    let mtu = try await Self.kubectl(server, "exec", "client", "--", "ip", "-o", "link", "show", "eth0")
    #expect(mtu.contains("mtu 1450"), "\(mtu)")
    let route = try await Self.kubectl(server, "exec", "client", "--", "ip", "route", "show", "default")
    #expect(route.contains("via \(podCIDR.replacingOccurrences(of: ".0/24", with: ".1"))"), "\(route)")
    // Two host-side veths on the bridge, hairpin on.
    let ports = try topology.ip(0, "-d", "-o", "link", "show", "master", "skiff0")
    #expect(ports.split(separator: "\n").count == 2, "\(ports)")
    #expect(ports.contains("hairpin on"), "\(ports)")
    let ipam = "\(server.dataDir)/agent/network/ipam/\(podCIDR.replacingOccurrences(of: "/", with: "_"))"
    #expect(try FileManager.default.contentsOfDirectory(atPath: ipam).filter { $0.hasPrefix("10.42.") }.count == 2)

    // A finished pod gives its address back and still shows it in its status.
    let done = """
      apiVersion: v1
      kind: Pod
      metadata: {name: done}
      spec:
        restartPolicy: Never
        containers:
        - {name: once, image: docker.io/library/busybox:test, imagePullPolicy: Never, command: ["true"]}
      """
    _ = try await Self.kubectl(server, "apply", "-f", "-", input: done)
    try await Self.eventually("the finished pod's address released", server) {
      let phase = try await Self.kubectl(server, "get", "pod", "done", "-o", "jsonpath={.status.phase} {.status.podIP}")
      let held = try FileManager.default.contentsOfDirectory(atPath: ipam).filter { $0.hasPrefix("10.42.") }
      return phase.hasPrefix("Succeeded 10.42.") && held.count == 2
    }

    // Agent restart: the pods keep running, keep their addresses and still reach each other.
    #expect(server.stop() == 0)
    #expect(try topology.ip(0, "-o", "link", "show", "master", "skiff0").split(separator: "\n").count == 2)
    server = try await Self.startServer(topology, backend: "vxlan", cleanup: true, dataDir: server.dataDir)
    try await Self.eventually("the web pod reported with its address after the restart", server) {
      try await Self.kubectl(server, "get", "pod", "web", "-o", "jsonpath={.status.podIP}") == webIP
    }
    try await Self.fetch(server, ip: webIP)

    try await Self.deletePods(server)
    try await Self.eventually("addresses released and veths gone", server) {
      let held = try FileManager.default.contentsOfDirectory(atPath: ipam).filter { $0.hasPrefix("10.42.") }
      let ports = try topology.ip(0, "-o", "link", "show", "master", "skiff0")
      return held.isEmpty && ports.isEmpty
    }
    #expect(server.stop() == 0)
    #expect(try Self.leftovers(topology, 0) == [])
    #expect(!FileManager.default.fileExists(atPath: "\(server.dataDir)/agent/network"))
  }

  @Test(arguments: ["vxlan", "host-gw"])
  func podsOnTwoNodesTalkOverTheOverlay(backend: String) async throws {
    let topology = try PodNetworkTopology(nodes: 2)
    defer { topology.remove() }
    let server = try await Self.startServer(topology, backend: backend)
    defer { removeAgentState(dataDir: server.dataDir) }
    defer { server.stop() }
    let token = try String(contentsOfFile: "\(server.dataDir)/server/token", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let agent = try NetnsAgent(
      topology: topology, index: 1, server: "https://\(topology.node(0).address):\(Self.apiPort)", token: token,
      arguments: ["--node-name", "net-1", "--network-backend", backend, "--cleanup-network-on-exit"])
    defer { removeAgentState(dataDir: agent.dataDir) }
    defer { agent.stop() }
    try await Self.eventually("both nodes publish their network", server) {
      let published = try await Self.kubectl(
        server, "get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.annotations.skiff\\.io/backend}{\" \"}{end}"
      )
      return published.split(separator: " ") == [Substring(backend), Substring(backend)]
    }
    let remoteCIDR = try await Self.kubectl(server, "get", "node", "net-1", "-o", "jsonpath={.spec.podCIDR}")
    try await Self.eventually("node 0 routes \(remoteCIDR) to node 1", server) {
      try topology.ip(0, "route", "show", remoteCIDR).contains(backend == "vxlan" ? "dev skiff.1" : "via 192.168.77.2")
    }
    if backend == "vxlan" {
      let vtep = remoteCIDR.replacingOccurrences(of: "/24", with: "")
      #expect(try topology.ip(0, "route", "show", remoteCIDR).contains("via \(vtep) dev skiff.1 onlink"))
      #expect(try topology.ip(0, "neigh", "show", "dev", "skiff.1").contains("\(vtep) lladdr"))
      #expect(try topology.ip(0, "-d", "link", "show", "skiff.1").contains("vxlan id 1"))
      let entries = try SkiffServerProcess.run(
        "/usr/sbin/bridge", ["-n", topology.node(0).namespace, "fdb", "show", "dev", "skiff.1"])
      #expect(entries.contains("dst 192.168.77.2"), "\(entries)")
    }

    let webIP = try await Self.runPods(server, httpdNode: "net-1", clientNode: "net-0")
    #expect(Self.firstOctets(webIP) == Self.firstOctets(remoteCIDR))
    try await Self.fetch(server, ip: webIP)
    try await Self.deletePods(server)

    // Node 1 leaves: its agent cleans up after itself, and node 0 drops its routes once the Node is gone.
    agent.stop()
    #expect(try Self.leftovers(topology, 1) == [], "\(agent.log.suffix(3000))")
    _ = try await Self.kubectl(server, "delete", "node", "net-1")
    try await Self.eventually("node 0 forgets node 1", server) {
      try topology.ip(0, "route", "show", remoteCIDR).isEmpty
        && (try backend != "vxlan" || topology.ip(0, "neigh", "show", "dev", "skiff.1").isEmpty)
    }
    #expect(server.stop() == 0)
    #expect(try Self.leftovers(topology, 0) == [])
  }

  /// The first three octets, to compare an address with a /24.
  static func firstOctets(_ text: String) -> String { text.split(separator: ".").prefix(3).joined(separator: ".") }
}
