import APIServer
import Foundation
import Glibc
import KubeAPI
import KubeClient
import Kubelet
import Logging
import PKI
import ServiceLifecycle
import SkiffTestSupport
import Store

@testable import Runtime

/// A real pod for the real kubectl: an in-process API server over SQLite (with its kubelet
/// client credentials), a busybox pod running in a real `ContainerRuntime` sandbox, and a
/// `KubeletServer` serving it, registered as the pod's node.
final class KubeletTestEnvironment: @unchecked Sendable {
  static let nodeName = "kubelet-test-node"

  static var skipReason: String? {
    if geteuid() != 0 { return "needs root (containers, namespaces, cgroups)" }
    if !BusyboxImage.available { return "needs Debian's busybox-static at /bin/busybox" }
    if SkiffServerProcess.kubectlPath == nil && !FileManager.default.fileExists(atPath: "/usr/bin/kubectl") {
      return "needs kubectl"
    }
    return nil
  }

  let directory: String
  /// Container name in the pod → runtime ID.
  let containers: [String: String]
  let runtime: ContainerRuntime
  let admin: KubeClient
  let kubeconfig: String
  let kubelet: KubeletServer
  let kubeletPort: Int
  private let group: ServiceGroup
  private let running: Task<Void, any Error>

  /// `main` serves /www on :8080 and logs three lines; `reader` echoes one line of stdin;
  /// `counter` is created but not started (the follow test starts it).
  static func start() async throws -> KubeletTestEnvironment {
    var template = Array("/tmp/skiff-kubelet-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw KubeletError(.io, "mkdtemp failed") }
    let directory = String(cString: made)
    var quiet = Logger(label: "kubelet-test")
    quiet.logLevel = .warning

    let images = try ImageStore(root: directory + "/images")
    let runtime = try ContainerRuntime(root: directory + "/runtime", images: images, logger: quiet)
    try BusyboxImage.importInto(images, directory: directory)
    // IDs unique per run: cgroups are named after them, machine-wide.
    let prefix = "kt-\(UInt32.random(in: 0..<UInt32.max))"
    let sandbox = try runtime.createSandbox(id: "\(prefix)-sb", options: SandboxOptions(hostname: "demo"))
    func container(_ name: String, _ script: String, stdin: Bool = false, start: Bool = true) throws -> String {
      var spec = ContainerSpec(id: "\(prefix)-\(name)", image: BusyboxImage.name)
      spec.command = ["sh", "-c", script]
      spec.sandboxID = sandbox.id
      spec.stdin = stdin
      try runtime.create(spec)
      if start { try runtime.start(spec.id) }
      return spec.id
    }
    let containers = [
      "main": try container(
        "main", "httpd -p 8080 -h /www; echo line1; echo line2; echo err1 >&2; exec sleep 3600"),
      "reader": try container("reader", "read line; echo got:$line", stdin: true),
      "counter": try container("counter", "for i in 1 2 3; do echo tick $i; sleep 1; done", start: false),
    ]

    let log = try await RevisionLog.open(driver: SQLiteDriver(path: "\(directory)/state.db"), logger: quiet)
    let pki = try await ClusterPKI.loadOrCreate(
      ClusterPKI.Options(dataDirectory: directory, nodeIPs: ["127.0.0.1"], token: SkiffServerProcess.testToken),
      store: DatastoreBootstrapStore(log: log), logger: quiet)
    let port = try SkiffServerProcess.freePort()
    var configuration = APIServer.Configuration(
      certificatePEM: pki.serving.certificatePEM + "\n" + pki.serverCA.certificatePEM,
      keyPEM: pki.serving.privateKeyPEM, clientCAPEM: pki.clientCA.certificatePEM)
    configuration.bindAddress = "127.0.0.1"
    configuration.port = port
    configuration.serverCACertificatePEM = pki.serverCA.certificatePEM
    configuration.serviceAccountTokens = pki.serviceAccountTokens
    configuration.kubeletClient = KubeletClientCredentials(
      certificatePEM: pki.apiServerClient.certificatePEM, keyPEM: pki.apiServerClient.privateKeyPEM,
      caPEM: pki.serverCA.certificatePEM)
    let api = try APIServer(log: log, configuration: configuration, logger: quiet)
    let kubeconfig = "\(directory)/kubeconfig.yaml"
    try pki.adminKubeconfig(server: "https://127.0.0.1:\(port)").write(to: kubeconfig)
    let group = ServiceGroup(
      configuration: .init(services: [.init(service: log), .init(service: api)], logger: quiet))
    let running = Task { try await group.run() }
    await api.waitUntilReady()

    // The kubelet's serving certificate, signed by the server CA as a kubelet-serving CSR would be.
    let serving = try pki.serverCA.issue(
      subject: CertificateSubject(commonName: "system:node:\(nodeName)", organizations: ["system:nodes"]),
      names: try SubjectAltNames(dnsNames: [nodeName], ipAddresses: ["127.0.0.1"]), usage: .server)
    try serving.certificatePEM.write(toFile: directory + "/kubelet.crt", atomically: true, encoding: .utf8)
    try serving.privateKeyPEM.write(toFile: directory + "/kubelet.key", atomically: true, encoding: .utf8)
    try pki.clientCA.certificatePEM.write(toFile: directory + "/client-ca.crt", atomically: true, encoding: .utf8)
    var kubeletConfiguration = KubeletServer.Configuration(
      nodeName: nodeName, certificateFile: directory + "/kubelet.crt", keyFile: directory + "/kubelet.key",
      clientCAFile: directory + "/client-ca.crt")
    kubeletConfiguration.bindAddress = "127.0.0.1"
    kubeletConfiguration.port = 0
    kubeletConfiguration.rootDirectory = directory
    let nodeClient = KubeClient(
      transport: api.inProcessTransport(user: "system:node:\(nodeName)", groups: ["system:nodes"]))
    let locator = RuntimePodLocator(
      runtime: runtime,
      pods: [
        .init(namespace: "default", name: "demo", uid: "uid-demo", sandbox: sandbox, containers: containers)
      ])
    let kubelet = KubeletServer(
      configuration: kubeletConfiguration, runtime: runtime, locator: locator, client: nodeClient, logger: quiet)
    let kubeletPort = try await kubelet.start()

    let admin = KubeClient(transport: api.inProcessTransport(user: "system:admin", groups: ["system:masters"]))
    var node = try await admin.create(
      .nodes, try JSONValue.parse(#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"\#(nodeName)"}}"#))
    node["status"] = try JSONValue.parse(
      #"{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"\#(nodeName)"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":\#(kubeletPort)}}}"#
    )
    _ = try await admin.update(.nodes, node, subresource: "status")
    var pod = try await admin.create(
      .pods, namespace: "default",
      try JSONValue.parse(
        #"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"demo","namespace":"default"},
         "spec":{"nodeName":"\#(nodeName)","containers":[
           {"name":"main","image":"\#(BusyboxImage.name)"},
           {"name":"reader","image":"\#(BusyboxImage.name)","stdin":true,"stdinOnce":true},
           {"name":"counter","image":"\#(BusyboxImage.name)"}]}}
        """#))
    pod["status"] = try JSONValue.parse(
      #"""
      {"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[
        {"name":"main","ready":true,"restartCount":0,"image":"busybox","imageID":"","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}},
        {"name":"reader","ready":true,"restartCount":0,"image":"busybox","imageID":"","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}},
        {"name":"counter","ready":true,"restartCount":0,"image":"busybox","imageID":"","state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}
      """#)
    _ = try await admin.update(.pods, pod, subresource: "status")
    return KubeletTestEnvironment(
      directory: directory, containers: containers, runtime: runtime, admin: admin, kubeconfig: kubeconfig,
      kubelet: kubelet,
      kubeletPort: kubeletPort, group: group, running: running)
  }

  private init(
    directory: String, containers: [String: String], runtime: ContainerRuntime, admin: KubeClient, kubeconfig: String,
    kubelet: KubeletServer,
    kubeletPort: Int, group: ServiceGroup, running: Task<Void, any Error>
  ) {
    self.directory = directory
    self.containers = containers
    self.runtime = runtime
    self.admin = admin
    self.kubeconfig = kubeconfig
    self.kubelet = kubelet
    self.kubeletPort = kubeletPort
    self.group = group
    self.running = running
  }

  func stop() async {
    await kubelet.stop()
    for status in runtime.list() { try? runtime.remove(status.id, force: true) }
    for sandbox in runtime.listSandboxes() { try? runtime.removeSandbox(id: sandbox.id) }
    await group.triggerGracefulShutdown()
    _ = try? await running.value
    try? FileManager.default.removeItem(atPath: directory)
  }

  static var kubectlPath: String { SkiffServerProcess.kubectlPath ?? "/usr/bin/kubectl" }

  /// Runs kubectl to completion on a thread of its own (never on the shared pool, which the
  /// in-process servers need). Returns the exit code and stdout+stderr.
  func kubectl(_ arguments: [String], input: String? = nil, executable: String? = nil, timeout: Double = 90) async
    -> (Int32, String)
  {
    let arguments = executable == nil ? ["--kubeconfig", kubeconfig] + arguments : arguments
    let executable = executable ?? Self.kubectlPath
    return await withCheckedContinuation { continuation in
      Thread {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        do { try process.run() } catch {
          continuation.resume(returning: (-1, "\(error)"))
          return
        }
        // A hung command fails the test instead of hanging it.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
      }.start()
    }
  }

  /// A long-running kubectl (port-forward): output collected as it comes, stopped by PID.
  final class Background: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var collected = ""

    var output: String { lock.withLock { collected } }

    init(_ arguments: [String]) throws {
      process.executableURL = URL(fileURLWithPath: KubeletTestEnvironment.kubectlPath)
      process.arguments = arguments
      let pipe = Pipe()
      process.standardOutput = pipe
      process.standardError = pipe
      process.standardInput = FileHandle.nullDevice
      pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
        let data = handle.availableData
        self?.lock.withLock { self?.collected += String(decoding: data, as: UTF8.self) }
      }
      try process.run()
    }

    func stop() {
      if process.isRunning { kill(process.processIdentifier, SIGTERM) }
      process.waitUntilExit()
    }
  }

  func background(_ arguments: [String]) throws -> Background {
    try Background(["--kubeconfig", kubeconfig] + arguments)
  }
}
