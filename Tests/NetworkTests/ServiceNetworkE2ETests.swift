import Foundation
import SkiffCore
import SkiffTestSupport
import Testing

/// Services, cluster DNS and NetworkPolicy end to end as root: a `skiff server` with its agent in
/// a network namespace the test creates; pods reach Services by name through the in-process
/// DNS and the nftables proxy, the node reaches ClusterIPs and NodePorts, names outside the
/// cluster go to a resolver the test runs, and a policy lets only the chosen client in.
@Suite(.serialized, .enabled(if: PodNetworkTopology.skipReason == nil, "\(PodNetworkTopology.skipReason ?? "")"))
struct ServiceNetworkE2ETests {
  static func web(_ name: String) -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: \(name), labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: httpd
        image: docker.io/library/busybox:test
        imagePullPolicy: Never
        ports: [{name: http, containerPort: 8080}]
        command: ["sh", "-c", "mkdir -p /tmp/www && echo hello-from-$(hostname) > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
    """
  }

  static func sleeper(_ name: String, labels: String) -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: \(name), labels: {\(labels)}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - {name: sleep, image: docker.io/library/busybox:test, imagePullPolicy: Never, command: ["sleep", "3600"]}
    """
  }

  static let services = """
    apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec:
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web-np}
    spec:
      type: NodePort
      selector: {app: web}
      ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: web-headless}
    spec:
      clusterIP: None
      selector: {app: web}
      ports: [{name: http, port: 8080}]
    """

  static var workloads: String {
    [
      web("web-1"), web("web-2"), sleeper("client", labels: "role: client"), sleeper("intruder", labels: "role: other"),
      services,
    ].joined(separator: "\n---\n")
  }

  static let policy = """
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: web-from-clients}
    spec:
      podSelector: {matchLabels: {app: web}}
      policyTypes: [Ingress]
      ingress:
      - from: [{podSelector: {matchLabels: {role: client}}}]
        ports: [{port: 8080}]
    """

  /// A one-question DNS responder: `outside.example` is 192.0.2.7 (no other types), anything
  /// else NXDOMAIN.
  static let resolver = #"""
    import socket, sys
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], 53))
    while True:
        data, peer = s.recvfrom(512)
        end = 12
        while data[end] != 0:
            end += data[end] + 1
        question = data[12:end + 5]
        name = data[12:end].lower()
        known = name == b"\x07outside\x07example"
        found = known and data[end + 1:end + 3] == b"\x00\x01"
        flags = b"\x81\x80" if known else b"\x81\x83"
        answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x07" if found else b""
        s.sendto(data[:2] + flags + b"\x00\x01" + (b"\x00\x01" if found else b"\x00\x00") + b"\x00\x00\x00\x00" + question + answer, peer)
    """#

  /// What `script` prints in `pod`, errors included, whatever its exit status.
  func exec(_ server: SkiffServerProcess, _ pod: String, _ script: String) async -> String {
    (try? await PodNetworkE2ETests.kubectl(server, "exec", pod, "--", "sh", "-c", "(\(script)) 2>&1; true")) ?? ""
  }

  /// One HTTP/1.0 GET with busybox nc (Debian's static busybox wget crashes).
  func get(_ host: String, _ port: Int) -> String {
    "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 \(host) \(port)"
  }

  @Test func servicesDNSAndNetworkPolicy() async throws {
    let topology = try PodNetworkTopology(nodes: 1)
    defer { topology.remove() }
    let node = topology.node(0)
    // Real hosts have a default route; locally generated traffic to a ClusterIP needs one.
    try topology.ip(0, "route", "add", "default", "via", "192.168.77.254", "dev", "lan0", "onlink")
    let directory = try TestImage.temporaryDirectory("netdns")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "nameserver \(node.address)\n".write(toFile: directory + "/resolv.conf", atomically: true, encoding: .utf8)
    try Self.resolver.write(toFile: directory + "/resolver.py", atomically: true, encoding: .utf8)
    let resolver = Process()
    resolver.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
    resolver.arguments = ["--net=/run/netns/\(node.namespace)", "python3", directory + "/resolver.py", node.address]
    try resolver.run()
    defer {
      kill(resolver.processIdentifier, SIGKILL)
      resolver.waitUntilExit()
    }

    let dataDir = try TestImage.temporaryDirectory("netsvc")
    try FileManager.default.createDirectory(atPath: dataDir + "/agent/images", withIntermediateDirectories: true)
    try TestImage.writeOCIArchive(to: dataDir + "/agent/images/busybox.tar")
    let server = try SkiffServerProcess(
      dataDir: dataDir,
      arguments: [
        "--enable-agent", "--https-listen-port", "6443", "--node-name", "svc-0", "--node-ip", node.address,
        "--network-backend", "host-gw", "--cleanup-network-on-exit", "--resolv-conf", directory + "/resolv.conf",
      ], commandPrefix: topology.enter(0))
    defer { removeAgentState(dataDir: dataDir) }
    defer { server.stop() }
    try await server.waitReady(timeout: .seconds(120), etcd: false)
    _ = try await PodNetworkE2ETests.kubectl(server, "apply", "-f", "-", input: Self.workloads)
    try await PodNetworkE2ETests.eventually("four pods Running with addresses", server) {
      let phases = try await PodNetworkE2ETests.kubectl(
        server, "get", "pods", "-o", "jsonpath={range .items[*]}{.status.phase}/{.status.podIP} {end}")
      return phases.split(separator: " ").count == 4
        && phases.split(separator: " ").allSatisfy { $0.hasPrefix("Running/10.42.") }
    }
    let clusterIP = try await PodNetworkE2ETests.kubectl(
      server, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")
    let webIPs = Set(
      try await PodNetworkE2ETests.kubectl(
        server, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.podIP}"
      ).split(separator: " ").map(String.init))
    #expect(
      try await PodNetworkE2ETests.kubectl(
        server, "get", "service", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}") == "10.43.0.10")

    // DNS from a pod: the Service, the headless Service's pods, SRV, an outside name.
    var lookup = ""
    try await PodNetworkE2ETests.eventually("the web Service resolves from a pod", server, timeout: .seconds(30)) {
      lookup = await exec(server, "client", "nslookup web.default.svc.cluster.local")
      return lookup.contains(clusterIP)
    }
    let headless = await exec(server, "client", "nslookup web-headless.default.svc.cluster.local")
    #expect(webIPs.allSatisfy { headless.contains($0) }, "\(headless)")
    let srv = await exec(server, "client", "nslookup -type=SRV _http._tcp.web.default.svc.cluster.local")
    #expect(srv.contains("web.default.svc.cluster.local") && srv.contains("80"), "\(srv)")
    let outside = await exec(server, "client", "nslookup outside.example")
    #expect(outside.contains("192.0.2.7"), "\(outside)")
    let missing = await exec(server, "client", "nslookup nope.default.svc.cluster.local")
    #expect(missing.contains("NXDOMAIN") || missing.contains("can't find"), "\(missing)")

    // ClusterIP from a pod, balanced over both backends; from the node; NodePort on the node IP.
    var served: Set<String> = []
    for _ in 0..<30 where served.count < 2 {
      let page = await exec(server, "client", get(clusterIP, 80))
      // The headers end in \r\n, one Character to Swift: look for the body's words instead of lines.
      for name in ["hello-from-web-1", "hello-from-web-2"] where page.contains(name) { served.insert(name) }
    }
    #expect(served == ["hello-from-web-1", "hello-from-web-2"], "\(served)")
    let fromNode = try await Blocking.run {
      try SkiffServerProcess.run(
        "/usr/bin/nsenter", ["--net=/run/netns/\(node.namespace)", "/bin/busybox", "sh", "-c", self.get(clusterIP, 80)])
    }
    #expect(fromNode.contains("hello-from-web-"), "\(fromNode)")
    let nodePort = try await Blocking.run {
      try SkiffServerProcess.run(
        "/usr/bin/nsenter",
        ["--net=/run/netns/\(node.namespace)", "/bin/busybox", "sh", "-c", self.get(node.address, 30080)])
    }
    #expect(nodePort.contains("hello-from-web-"), "\(nodePort)")

    // NetworkPolicy: only pods labelled role=client reach the web pods; DNS keeps working.
    _ = try await PodNetworkE2ETests.kubectl(server, "apply", "-f", "-", input: Self.policy)
    try await PodNetworkE2ETests.eventually("the intruder is cut off", server, timeout: .seconds(30)) {
      await !exec(server, "intruder", get(clusterIP, 80)).contains("hello-from-")
    }
    #expect(await exec(server, "client", get(clusterIP, 80)).contains("hello-from-web-"))
    #expect(await exec(server, "intruder", "nslookup web.default.svc.cluster.local").contains(clusterIP))
    _ = try await PodNetworkE2ETests.kubectl(server, "delete", "networkpolicy", "web-from-clients")
    try await PodNetworkE2ETests.eventually("the intruder is let in again", server, timeout: .seconds(30)) {
      await exec(server, "intruder", get(clusterIP, 80)).contains("hello-from-")
    }

    // The agent's cleanup removes the nftables table and the DNS interface too.
    _ = try await PodNetworkE2ETests.kubectl(server, "delete", "pods", "--all", "--wait=false")
    try await PodNetworkE2ETests.eventually("pods deleted", server) {
      try await PodNetworkE2ETests.kubectl(server, "get", "pods", "-o", "name").isEmpty
    }
    #expect(server.stop() == 0)
    let tables = try await Blocking.run {
      try SkiffServerProcess.run("/usr/bin/nsenter", ["--net=/run/netns/\(node.namespace)", "nft", "list", "tables"])
    }
    #expect(!tables.contains("skiff"), "\(tables)")
    #expect(try !topology.ip(0, "-o", "link", "show").contains("skiff-dns"))
  }
}
