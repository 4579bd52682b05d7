import Foundation
import KubeAPI
import KubeProto
import Testing

/// Talks protobuf with the real kubectl through scripts/kubectl-protobuf-peer.py on 127.0.0.1:
/// kubectl's request bodies must decode to the JSON kubectl prints for them, and our encoded
/// responses must decode in kubectl (Go's generated code) to the object we encoded.
@Suite(.serialized, .enabled(if: KubectlPeer.available, "needs kubectl and python3 on PATH"))
struct KubectlLiveTests {
  @Test func kubectlRequestBodiesDecode() throws {
    let peer = try KubectlPeer()
    defer { peer.stop() }
    let commands: [[String]] = [
      ["create", "deployment", "live", "--image=nginx:1.27", "--replicas=2", "--port=80"],
      ["create", "secret", "generic", "live", "--from-literal=a=b", "--type=example.com/t"],
      ["create", "service", "nodeport", "live", "--tcp=80:http"],
      ["create", "cronjob", "live", "--image=busybox", "--schedule=@hourly", "--restart=OnFailure"],
    ]
    for arguments in commands {
      let body = try peer.run(arguments)
      let decoded = try KubeProtobuf.decode(body)
      let printed = try TestSupport.parse(try peer.kubectl(arguments + ["--dry-run=client", "-o", "json"]))
      let difference = TestSupport.difference(decoded.object, TestSupport.withoutNulls(printed))
      #expect(difference == nil, "\(arguments.joined(separator: " ")): \(difference ?? "")")
    }
  }

  @Test func kubectlDecodesOurResponses() throws {
    let peer = try KubectlPeer()
    defer { peer.stop() }
    let deployment = try TestSupport.parse(
      """
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": \(RoundTrip.metadata("live")),
       "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "live"}},
         "template": {"metadata": {"labels": {"app": "live"}}, "spec": \(RoundTrip.podSpec)},
         "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}},
         "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
       "status": {"observedGeneration": 4, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 2,
         "conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2026-11-29T22:38:41Z",
           "lastTransitionTime": "2026-11-29T22:38:41Z", "reason": "MinimumReplicasAvailable",
           "message": "ok"}]}}
      """)
    let secret = try TestSupport.parse(
      """
      {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "live", "namespace": "default"},
       "data": {"bin": "AAEC//79", "text": "aGVsbG8="}, "type": "Opaque", "immutable": false}
      """)
    let service = try TestSupport.parse(
      """
      {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "live", "namespace": "default"},
       "spec": {"ports": [{"name": "a", "protocol": "TCP", "port": 80, "targetPort": 8080},
         {"name": "b", "protocol": "TCP", "port": 443, "targetPort": "https", "nodePort": 30443}],
         "clusterIP": "10.43.0.15", "type": "NodePort", "sessionAffinity": "None"},
       "status": {"loadBalancer": {}}}
      """)
    let cases: [(JSONValue, [String])] = [
      (deployment, ["create", "deployment", "live", "--image=nginx"]),
      (secret, ["create", "secret", "generic", "live", "--from-literal=a=b"]),
      (service, ["create", "service", "nodeport", "live", "--tcp=80:8080"]),
    ]
    for (object, arguments) in cases {
      try peer.respond(with: try KubeProtobuf.encode(object))
      let printed = try TestSupport.parse(try peer.kubectl(arguments + ["-o", "json", "--show-managed-fields"]))
      let difference = TestSupport.difference(TestSupport.withoutNulls(printed), object)
      #expect(difference == nil, "\(arguments.joined(separator: " ")): \(difference ?? "")")
    }
  }
}

/// The python peer process and the kubectl runs against it; only processes started here are stopped.
final class KubectlPeer {
  static let available = ["kubectl", "python3"].allSatisfy { find($0) != nil }

  let directory: URL
  let server: Process
  let port: Int

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeproto-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    server = Process()
    server.executableURL = URL(fileURLWithPath: Self.find("python3")!)
    server.arguments = [
      TestSupport.repositoryRoot.appendingPathComponent("scripts/kubectl-protobuf-peer.py").path, "serve", "0",
      directory.path,
    ]
    let output = Pipe()
    server.standardOutput = output
    try server.run()
    let line = String(decoding: output.fileHandleForReading.availableLine(), as: UTF8.self)
    guard line.hasPrefix("listening "), let port = Int(line.dropFirst(10).trimmingCharacters(in: .whitespaces)) else {
      server.terminate()
      throw TestFailure("peer did not start: \(line)")
    }
    self.port = port
  }

  func stop() {
    if server.isRunning { server.terminate() }
    server.waitUntilExit()
    try? FileManager.default.removeItem(at: directory)
  }

  func respond(with bytes: [UInt8]) throws {
    try Data(bytes).write(to: directory.appendingPathComponent("response.bin"))
  }

  /// Runs kubectl and returns its standard output; throws with its standard error on failure.
  @discardableResult
  func kubectl(_ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.find("kubectl")!)
    process.arguments = ["--kubeconfig=/dev/null", "--server=http://127.0.0.1:\(port)"] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw TestFailure("kubectl \(arguments.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))")
    }
    return data
  }

  /// Runs kubectl and returns the one protobuf request body it sent.
  func run(_ arguments: [String]) throws -> [UInt8] {
    let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
    try kubectl(arguments)
    let added = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
      !before.contains($0) && $0.hasSuffix(".meta")
    }
    let bodies = try added.sorted().compactMap { meta -> [UInt8]? in
      let headers = try String(contentsOf: directory.appendingPathComponent(meta), encoding: .utf8)
      guard headers.contains("Content-Type: application/vnd.kubernetes.protobuf") else { return nil }
      return [UInt8](try Data(contentsOf: directory.appendingPathComponent(meta.dropLast(5) + ".bin")))
    }
    guard bodies.count == 1 else { throw TestFailure("expected one protobuf body, got \(bodies.count)") }
    return bodies[0]
  }

  static func find(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(program)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }
}

extension FileHandle {
  /// Bytes up to the first newline (the peer prints one line once it listens).
  fileprivate func availableLine() -> [UInt8] {
    var line: [UInt8] = []
    while let byte = try? read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
      line.append(first)
    }
    return line
  }
}
