import Foundation

@testable import SkiffNetwork

/// A throw-away network built from test-created namespaces: a "node" with bridge `br` (the
/// pod network 10.42.0.0/24, gateway 10.42.0.1), pods attached by veth, and an "outside" host
/// at 192.168.50.2 reaching the node at 192.168.50.1. Pods run a tiny Python server answering
/// "<pod> <client address>" on TCP 8080 and UDP 9090. Nothing touches the host's namespaces;
/// `destroy()` stops the servers by PID and deletes every namespace.
final class ProxyTopology: @unchecked Sendable {
  static let python = "/usr/bin/python3"
  static let nodeIP = "192.168.50.1"
  static let outsideIP = "192.168.50.2"
  static var isSupported: Bool {
    getuid() == 0 && NFTables.isAvailable && FileManager.default.isExecutableFile(atPath: python)
      && NFTProcess.locate("ip") != nil
  }

  let prefix = "skp\(String(UInt32.random(in: 0..<0xFFFFF), radix: 16))"
  private(set) var namespaces: [String] = []
  private var servers: [Process] = []
  private var podCount = 0
  let scriptPath: String

  var node: String { "\(prefix)-node" }
  var outside: String { "\(prefix)-out" }
  func path(_ namespace: String) -> String { "/run/netns/\(namespace)" }

  init() async throws {
    scriptPath = NSTemporaryDirectory() + "\(prefix)-net.py"
    try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    do {
      try await build()
    } catch {
      await destroy()
      throw error
    }
  }

  private func build() async throws {
    for namespace in [node, outside] { try await addNamespace(namespace) }
    try await ip(node, "link", "add", "skbr0", "type", "bridge")
    try await ip(node, "addr", "add", "10.42.0.1/24", "dev", "skbr0")
    try await ip(node, "link", "set", "skbr0", "up")
    try await ip(node, "link", "add", "ext0", "type", "veth", "peer", "name", "eth0", "netns", outside)
    try await ip(node, "addr", "add", "\(Self.nodeIP)/24", "dev", "ext0")
    try await ip(node, "link", "set", "ext0", "up")
    try await ip(outside, "addr", "add", "\(Self.outsideIP)/24", "dev", "eth0")
    try await ip(outside, "link", "set", "eth0", "up")
    try await ip(outside, "route", "add", "default", "via", Self.nodeIP)
    // A default route, so traffic to a Service IP is forwarded (and rejected by the ruleset
    // when it has no endpoint) instead of failing the route lookup.
    try await ip(node, "route", "add", "default", "via", Self.outsideIP)
    try await exec(node, "/usr/sbin/sysctl", "-qw", "net.ipv4.ip_forward=1")
    if FileManager.default.fileExists(atPath: "/proc/sys/net/bridge/bridge-nf-call-iptables") {
      try await exec(node, "/usr/sbin/sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1")
    }
  }

  /// Adds a pod namespace on the bridge; answers its namespace name.
  @discardableResult
  func addPod(_ name: String, ip address: String, serve: Bool = true) async throws -> String {
    podCount += 1
    let namespace = "\(prefix)-\(name)"
    try await addNamespace(namespace)
    let host = "v\(prefix.dropFirst(3))\(podCount)"
    try await ip(node, "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", namespace)
    try await ip(node, "link", "set", host, "master", "skbr0")
    // Hairpin mode lets a pod reach itself through its Service (the bridged DNAT goes back
    // out the port it came in on); the pod network must set it on every port.
    try await ip(node, "link", "set", host, "type", "bridge_slave", "hairpin", "on")
    try await ip(node, "link", "set", host, "up")
    try await ip(namespace, "addr", "add", "\(address)/24", "dev", "eth0")
    try await ip(namespace, "link", "set", "eth0", "up")
    try await ip(namespace, "route", "add", "default", "via", "10.42.0.1")
    if serve { try startServer(in: namespace, name: name) }
    return namespace
  }

  /// Starts the echo server in a namespace (also usable on the node or outside).
  /// `udpAddress` binds UDP to one address, so replies leave from it (as a real DNS server does).
  func startServer(
    in namespace: String, name: String, udpPort: Int = 9090, tcpPort: Int = 8080, udpAddress: String = "0.0.0.0"
  ) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: NFTProcess.locate("ip")!)
    process.arguments = [
      "netns", "exec", namespace, Self.python, scriptPath, "serve", name, String(tcpPort), String(udpPort), udpAddress,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    servers.append(process)
  }

  /// Waits until the servers in the given pods answer locally.
  func waitForServers(_ pods: [(namespace: String, ip: String)]) async throws {
    for pod in pods {
      var answered = false
      for _ in 0..<50 where !answered {
        answered = await probe(from: pod.namespace, pod.ip, 8080).hasPrefix("OK")
        if !answered { try await Task.sleep(for: .milliseconds(100)) }
      }
      if !answered { throw NetworkError(.kernel, "test server in \(pod.namespace) never answered") }
    }
  }

  /// "OK <server> <client address>", "REFUSED", "TIMEOUT" or "ERROR …".
  func probe(
    from namespace: String, _ address: String, _ port: Int, proto: String = "tcp", sourcePort: Int = 0,
    timeout: Double = 1.5
  ) async -> String {
    let result = try? await NFTProcess(networkNamespace: path(namespace)).run(
      "python3", [scriptPath, "probe", proto, address, String(port), String(sourcePort), String(timeout)])
    return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "ERROR no python"
  }

  /// The server's name, or the probe's failure word.
  func reach(from namespace: String, _ address: String, _ port: Int, proto: String = "tcp", sourcePort: Int = 0)
    async -> String
  {
    let reply = await probe(from: namespace, address, port, proto: proto, sourcePort: sourcePort)
    let words = reply.split(separator: " ")
    return words.first == "OK" && words.count > 1 ? String(words[1]) : reply
  }

  func apply(_ table: NFTTable) async throws {
    try await NFTables(networkNamespace: path(node)).apply(table.script(replacing: nil))
  }

  func destroy() async {
    for server in servers where server.isRunning { kill(server.processIdentifier, SIGKILL) }
    for server in servers { server.waitUntilExit() }
    for namespace in namespaces.reversed() { _ = try? await NFTProcess().run("ip", ["netns", "del", namespace]) }
    try? FileManager.default.removeItem(atPath: scriptPath)
  }

  private func addNamespace(_ namespace: String) async throws {
    try await run("ip", ["netns", "add", namespace])
    namespaces.append(namespace)
    try await ip(namespace, "link", "set", "lo", "up")
  }

  private func ip(_ namespace: String, _ arguments: String...) async throws {
    try await run("ip", ["-n", namespace] + arguments)
  }

  private func exec(_ namespace: String, _ arguments: String...) async throws {
    try await run("ip", ["netns", "exec", namespace] + arguments)
  }

  private func run(_ tool: String, _ arguments: [String]) async throws {
    let result = try await NFTProcess().run(tool, arguments)
    if result.status != 0 {
      throw NetworkError(.kernel, "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)")
    }
  }

  static let script = #"""
    import socket, sys, threading

    def serve(name, tcp_port, udp_port, udp_address):
        tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("0.0.0.0", tcp_port)); tcp.listen(64)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind((udp_address, udp_port))
        def udp_loop():
            while True:
                data, peer = udp.recvfrom(2048)
                udp.sendto(f"{name} {peer[0]}".encode(), peer)
        threading.Thread(target=udp_loop, daemon=True).start()
        while True:
            conn, peer = tcp.accept()
            try: conn.sendall(f"{name} {peer[0]}".encode())
            finally: conn.close()

    def probe(proto, host, port, source_port, timeout):
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(timeout)
        if source_port: s.bind(("0.0.0.0", source_port))
        try:
            s.connect((host, port))
            if proto == "udp": s.send(b"hello")
            print("OK", s.recv(2048).decode())
        except ConnectionRefusedError: print("REFUSED")
        except (socket.timeout, TimeoutError): print("TIMEOUT")
        except OSError as e: print("ERROR", e.errno, e.strerror)

    if sys.argv[1] == "serve": serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else: probe(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    """#
}
